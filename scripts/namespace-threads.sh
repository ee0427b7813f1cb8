#!/usr/bin/env bash
# Threads and CPU of xtcp polling many namespaces on the recvmsg path:
# COUNT namespaces of PER loopback connections (1 + 2 × PER sockets each),
# `-netlinkers 4 -cpus 4 -dest null`, every namespace polled. The threads of
# the process are sampled every 50 ms from /proc/PID/task for the whole run
# (start, namespace entry, polls, shutdown); CPU user + system per poll is
# the child's rusage over the run divided by its polls. Each poll line must
# show every farm socket (at least) and no incomplete dump.
#
# With BASELINE (another xtcp binary), both run in interleaved rounds (the
# order reversed every other round), so the ratio of their median CPU per
# poll is measured in one run. Needs root.
#
#   scripts/namespace-threads.sh [COUNT] [PER] [ROUNDS] [BASELINE]   # 256 × 10 (21 sockets each), 4 rounds
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-256}
per=${2:-10}
rounds=${3:-4}
baseline=${4:-}
out=$(mktemp -d)
pids=()
. "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
swift build --package-path "$root" -c release --product xtcp >/dev/null
start_namespace_farm "$count" "$per"
farm_sockets=$(( count * (1 + 2 * per) ))
python3 "$root/scripts/namespace_threads.py" "$farm_sockets" "$rounds" "$root/.build/release/xtcp" $baseline
