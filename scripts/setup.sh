#!/usr/bin/env bash
# Installs what xtcp needs on a Debian bookworm machine with Swift 6.3 (the
# C libraries and tools from Debian, the test helpers from PyPI), builds the
# release binary, and runs the main job: one capture of this host's TCP
# sockets, replayed as JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product xtcp
bin=$(swift build -c release --show-bin-path)/xtcp
"$bin" -capture /tmp/xtcp-host.pcap
"$bin" -replay /tmp/xtcp-host.pcap -dest stdout -marshal jsonl | head -n 3
