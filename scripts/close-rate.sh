#!/usr/bin/env bash
# How many closes a second -closeEvents absorbs without losing one: PROCESSES
# farms (close_farm.py) of CONNECTIONS loopback connections each, in one
# namespace, close every socket at the same moment (2 × CONNECTIONS ×
# PROCESSES destroys) while xtcp (release) listens with -closeEvents
# -closeEventsBuffer BUFFER. Prints the close rate the farms reached and
# what xtcp heard: closes, lost (SO_MEMINFO drops), overflows (ENOBUFS).
# Needs root. Not part of the test suite.
#
#   scripts/close-rate.sh [CONNECTIONS=9000] [PROCESSES=4] [BUFFER=8388608]
#
# $CLOSE_RATE_XTCP_FLAGS is added to xtcp's flags (e.g. "-profile.mode cpu
# -profile.path /tmp/close.pb.gz" to see where the time goes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-9000} processes=${2:-4} buffer=${3:-8388608}
out=$(mktemp -d) pids=()
source "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
swift build -c release --product xtcp --package-path "$root" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
start_loopback_farm "xtcp-close-rate-$$" $((connections * processes)) "$processes" close_farm.py
ip netns exec "$farm_ns" "$root/.build/release/xtcp" -frequency 1s -namespaces own -promListen off -closeEvents \
    -closeEventsBuffer "$buffer" -dest null ${CLOSE_RATE_XTCP_FLAGS:-} 2>"$out/xtcp.err" &
xtcp=$!; pids+=("$xtcp")
until grep -q '^poll 1:' "$out/xtcp.err"; do sleep 0.1; done
for fd in "${farm_inputs[@]}"; do echo go >&"$fd"; done
for i in $(seq 0 $((processes - 1))); do until grep -q closed "$out/farm$i.out"; do sleep 0.05; done; done
sleep 3
# xtcp's CPU (user + system, all threads) over the run, in clock ticks.
ticks=$(awk '{print $14 + $15}' "/proc/$xtcp/stat")
kill -TERM "$xtcp"; wait "$xtcp" || true
sockets=$((2 * connections * processes))
awk -v n="$sockets" '/^closed/ {if (s == "" || $2 < s) s = $2; if ($3 > e) e = $3} END {printf "closed %d sockets in %.3f s: %.0f closes/s\n", n, e - s, n / (e - s)}' "$out"/farm*.out
line=$(grep '^xtcp: [0-9]* polls' "$out/xtcp.err" | tail -1)
echo "xtcp: $line"
heard=$(sed -n 's/.* closes=\([0-9]*\).*/\1/p' <<<"$line"); heard=${heard:-0}
lost=$(sed -n 's/.*closesLost=\([0-9]*\).*/\1/p' <<<"$line"); lost=${lost:-0}
echo "heard $heard of $sockets, lost $lost (buffer $buffer bytes); xtcp CPU $((ticks * 1000 / $(getconf CLK_TCK))) ms over the run"
[ "$heard" = "$sockets" ] && [ "$lost" = 0 ]
