#!/usr/bin/env bash
# The three receive paths side by side on one farm, rounds interleaved (the
# order reversed every other round) so that the machine's drift falls on
# all alike: package-benchmark runs benchmarks one after another, and on
# this shared machine a later benchmark can pay for a busier minute. Each
# run is the xtcp release binary polling every namespace, `-dest null`;
# CPU user + system per poll from the children's rusage. Needs root.
#
#   scripts/receive-path-compare.sh [COUNT] [PER] [ROUNDS]   # 256 namespaces × 50 connections, 4 rounds
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-256}
per=${2:-50}
rounds=${3:-4}
out=$(mktemp -d)
pids=()
. "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
swift build --package-path "$root" -c release --product xtcp >/dev/null
start_namespace_farm "$count" "$per"
python3 - "$root/.build/release/xtcp" "$rounds" <<'PY'
import resource, statistics, subprocess, sys

xtcp, rounds = sys.argv[1], int(sys.argv[2])
polls = 6
paths = {
    "recvmsg, -netlinkers 4": ["-netlinkers", "4"],
    "io_uring, one receive per datagram": ["-ioUring", "-ioUringMultishot", "false"],
    "io_uring, multishot": ["-ioUring"],
}
cpu = {name: [] for name in paths}
for round_ in range(rounds):
    for name in (list(paths) if round_ % 2 == 0 else list(reversed(paths))):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run([xtcp, "-maxLoops", str(polls), "-frequency", "3s", "-pollJitterPct", "0", "-dest", "null",
                              "-promListen", "off"] + paths[name],
                             capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000 / polls)
        print(f"round {round_ + 1}, {name}: {cpu[name][-1]:.0f} ms/poll; {run.stderr.strip().splitlines()[-1]}", file=sys.stderr)
base = statistics.median(cpu["recvmsg, -netlinkers 4"])
print(f"| receive path (median of {rounds} rounds of {polls} polls) | CPU ms per poll | / recvmsg | every round |")
print("|---|---|---|---|")
for name, values in cpu.items():
    print(f"| {name} | {statistics.median(values):.0f} | {statistics.median(values) / base:.2f} | {', '.join(f'{v:.0f}' for v in values)} |")
PY
