#!/usr/bin/env bash
# What an active CPU profile costs: xtcp (release) polls a loopback farm;
# its CPU time is measured over equal windows without a profile and with a
# /debug/pprof/profile request covering the window, interleaved (the order
# flips each round), in one run.
#
#   scripts/profile-overhead.sh [CONNECTIONS=20000] [ROUNDS=3] [SECONDS=10] [HZ=100]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-20000} rounds=${2:-3} seconds=${3:-10} hz=${4:-100}
out=$(mktemp -d) pids=()
source "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
swift build -c release --product xtcp --package-path "$root" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
ns=xtcp-profile-overhead
start_loopback_farm "$ns" "$connections" 4
# Port 1000: below the farm's widened ephemeral range, so no client holds it.
ip netns exec "$ns" "$root/.build/release/xtcp" -namespaces own -frequency 500ms -dest null -promListen 127.0.0.1:1000 2>"$out/xtcp.err" &
xtcp=$!; pids+=("$xtcp")
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$xtcp/stat"; }
hertz=$(getconf CLK_TCK)
declare -a plain profiled
for round in $(seq 1 "$rounds"); do
    # The order flips each round, so a drift of the farm's cost over time
    # falls on both sides alike.
    order="plain profiled"; [ $((round % 2)) = 0 ] && order="profiled plain"
    for mode in $order; do
        before=$(ticks)
        if [ "$mode" = profiled ]; then
            ip netns exec "$ns" python3 "$root/Tests/Scripts/http_probe.py" 127.0.0.1 1000 save \
                "/debug/pprof/profile?seconds=$seconds&hz=$hz" "$out/profile.pb.gz" >/dev/null
        else
            sleep "$seconds"
        fi
        used=$(( $(ticks) - before ))
        eval "$mode+=($used)"
        echo "round $round $mode: $(awk -v t="$used" -v h="$hertz" 'BEGIN {printf "%.2f", t / h}') s CPU in ${seconds} s"
    done
done
sum() { local s=0; for v in "$@"; do s=$((s + v)); done; echo "$s"; }
p=$(sum "${plain[@]}") q=$(sum "${profiled[@]}")
echo "farm: $connections connections; xtcp every 500ms; profile at $hz Hz"
awk -v p="$p" -v q="$q" -v h="$hertz" 'BEGIN {printf "CPU without a profile %.2f s, with %.2f s: ratio %.3f\n", p / h, q / h, q / p}'
go tool pprof -top "$out/profile.pb.gz" 2>/dev/null | sed -n 1,12p
