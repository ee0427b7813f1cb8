#!/usr/bin/env bash
# Installs what xtcp needs on a Debian bookworm machine with Swift 6.3 (the
# C libraries and tools from Debian, the test helpers from PyPI), builds the
# release binary, and runs the main job: one capture of this host's TCP
# sockets, replayed as JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libmnl-dev liburing-dev librdkafka-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler iproute2 pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
python3 -c 'import chdb, google.protobuf' 2>/dev/null || python3 -m pip install -q chdb protobuf
swift build -c release --product xtcp
bin=$(swift build -c release --show-bin-path)/xtcp
"$bin" -capture /tmp/xtcp-host.pcap
"$bin" -replay /tmp/xtcp-host.pcap -dest stdout -marshal jsonl | head -n 3
