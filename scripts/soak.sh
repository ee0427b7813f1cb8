#!/usr/bin/env bash
# The soak: xtcp (release) polls every namespace every second for MINUTES
# while 9,900 loopback connections (19,801 sockets: a process may hold
# 20,000 files here) churn 5 % a second in
# one namespace and namespaces are created and deleted beside it
# (netns_churn.py, 8 at a time). Samples xtcp's RSS, threads and open files
# every minute, counts incomplete polls, and prints a table. Not part of
# scripts/test.sh: it takes half an hour. Needs root.
#
#   scripts/soak.sh [MINUTES=30]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=${1:-30}
out=$(mktemp -d) pids=()
ns=xtcp-soak
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    # The churn's own, should it have died holding some.
    for churned in $(ip netns list | awk '/^xtcp-soak-churn-/ {print $1}'); do ip netns del "$churned" 2>/dev/null || true; done
}
trap cleanup EXIT
swift build -c release --product xtcp --package-path "$root" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
mkfifo "$out/farm"
ip netns exec "$ns" python3 "$root/Tests/Scripts/churn_farm.py" 9900 900 5 <"$out/farm" >"$out/farm.out" 2>&1 &
pids+=($!)
exec {hold}>"$out/farm"
until grep -q ready "$out/farm.out"; do
    kill -0 "${pids[0]}" 2>/dev/null || { echo "the farm failed: $(tail -2 "$out/farm.out")" >&2; exit 1; }
    sleep 0.5
done
python3 "$root/Tests/Scripts/netns_churn.py" $((minutes * 60 + 60)) 8 xtcp-soak-churn >"$out/churn.out" 2>&1 &
pids+=($!)

"$root/.build/release/xtcp" -frequency 1s -dest null -promListen 127.0.0.1:19489 2>"$out/xtcp.err" &
xtcp=$!; pids+=("$xtcp")
sample() {
    local rss threads fds polls namespaces
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$xtcp/status")
    threads=$(awk '/Threads/ {print $2}' "/proc/$xtcp/status")
    fds=$(( $(ls "/proc/$xtcp/fd" | wc -l) ))
    polls=$(grep -c ' ms namespaces=' "$out/xtcp.err" || true)
    # Namespaces alive at the last poll: threads and files follow them.
    namespaces=$( (grep ' ms namespaces=' "$out/xtcp.err" || true) | tail -1 | sed 's/.* ms namespaces=\([0-9]*\).*/\1/')
    echo "$1 $rss $threads $fds $polls ${namespaces:-0}"
}
echo "minute rss_kB threads fds polls namespaces" | tee "$out/samples"
for minute in $(seq 0 "$minutes"); do
    sample "$minute" | tee -a "$out/samples"
    [ "$minute" = "$minutes" ] || sleep 60
done
kill -TERM "$xtcp"; wait "$xtcp" || true
# The churn's summary line ({"cycles": N, "failed_adds": F}) comes at its end.
kill -TERM "${pids[1]}"; wait "${pids[1]}" || true

polls=$(grep -c ' ms namespaces=' "$out/xtcp.err" || true)
incomplete=$(grep ' ms namespaces=' "$out/xtcp.err" | grep -cE 'dumpsTimedOut|dumpsStalled|dumpsFailed' || true)
problems=$(grep -E '^poll [0-9]+: ' "$out/xtcp.err" | grep -v ' ms namespaces=' | grep -vc 'namespaces +' || true)
echo
echo "polls: $polls, incomplete: $incomplete, problem lines: $problems"
grep -E '^poll [0-9]+: ' "$out/xtcp.err" | grep -v ' ms namespaces=' | grep -v 'namespaces +' | head -5 || true
echo "sockets per poll: $(grep ' ms namespaces=' "$out/xtcp.err" | sed 's/.*sockets=\([0-9]*\).*/\1/' | sort -n | sed -n '1p;$p' | paste -sd' ' -) (min max)"
echo "namespace cycles: $(tail -1 "$out/churn.out")"
# Growth from minute 2 (warm) to the end: RSS, threads, files.
awk 'NR == 4 {r = $2; t = $3; f = $4} END {printf "from minute 2 to %d: RSS %d -> %d kB (%+.1f %%), threads %d -> %d, fds %d -> %d\n", $1, r, $2, 100 * ($2 - r) / r, t, $3, f, $4}' "$out/samples"
tail -1 "$out/xtcp.err"
