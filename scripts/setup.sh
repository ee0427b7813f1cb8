#!/usr/bin/env bash
# Installs what xtcp needs on a Debian bookworm machine with Swift 6.3 (the
# C libraries and tools from Debian, the test helpers from PyPI), builds the
# release binary, and runs the main job: three polls of this host's TCP
# sockets, one second apart, each socket a JSON line on stdout (the start
# of the first shown) and one summary line per poll on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The binary as installed: the Swift standard library linked in.
bin=$(scripts/build-release.sh)
"$bin" -frequency 1s -maxLoops 3 -netlinkers 4 -dest stdout -marshal jsonl > /tmp/xtcp-polls.jsonl
head -n 1 /tmp/xtcp-polls.jsonl | cut -c1-400
echo "($(wc -l < /tmp/xtcp-polls.jsonl) records in /tmp/xtcp-polls.jsonl)"
