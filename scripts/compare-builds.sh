#!/usr/bin/env bash
# This tree's xtcp release binary against another build (BASELINE: the same
# binary of an earlier commit), on one farm, in interleaved rounds (the
# order reversed every other round) so that the ratio of their medians is
# measured in one run. Each run polls 6 times, `-dest null`; CPU user +
# system per poll is the child's rusage over the run divided by its polls;
# the process's threads are sampled every 50 ms for the whole run (start,
# namespace entry, polls, shutdown); peak RSS is what xtcp's last line says.
# Every poll must show every farm socket and no incomplete dump. Needs root.
#
#   scripts/compare-builds.sh namespaces [COUNT] [PER] [ROUNDS] [BASELINE]
#       COUNT namespaces (256) of PER loopback connections (10: 21 sockets
#       each), every namespace polled, recvmsg, -netlinkers 4 -cpus 4; at
#       most 8 threads for this tree's binary
#   scripts/compare-builds.sh loopback [CONNECTIONS] [ROUNDS] [BASELINE]
#       CONNECTIONS loopback connections (50,000: 100,000 sockets) in one
#       namespace, polled from inside it, recvmsg and io_uring
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-namespaces}
out=$(mktemp -d)
pids=()
. "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
swift build --package-path "$root" -c release --product xtcp >/dev/null
case "$mode" in
namespaces)
    count=${2:-256} per=${3:-10} rounds=${4:-4} baseline=${5:-}
    start_namespace_farm "$count" "$per"
    python3 "$root/scripts/compare_builds.py" --farm-sockets $(( count * (1 + 2 * per) )) --rounds "$rounds" --max-threads 8 \
        --flags "-netlinkers 4 -cpus 4 -frequency 3s" \
        "$root/.build/release/xtcp" $baseline ;;
loopback)
    connections=${2:-50000} rounds=${3:-4} baseline=${4:-}
    start_loopback_farm "xtcp-compare-$$" "$connections"
    for flags in "-netlinkers 4" "-netlinkers 4 -ioUring"; do
        python3 "$root/scripts/compare_builds.py" --farm-sockets $(( 2 * connections )) --rounds "$rounds" \
            --prefix "ip netns exec $farm_ns" --flags "$flags -namespaces own -frequency 5s" \
            "$root/.build/release/xtcp" $baseline
    done ;;
*) echo "usage: compare-builds.sh namespaces|loopback ..." >&2; exit 2 ;;
esac
