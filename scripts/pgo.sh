#!/usr/bin/env bash
# Profile-guided optimisation of the release build, measured against the
# plain one in the same run (pgo-notes.md has the figures and the verdict).
# Needs root (the training farm lives in a namespace). Not part of the
# README's build: the release build never depends on a training run.
#
#   scripts/pgo.sh [CONNECTIONS] [ROUNDS]     # 36,000 connections, 3 rounds
#
# 1. an instrumented build (-profile-generate; counters updated atomically,
#    since several netlinker threads run the same code);
# 2. training: 10 polls of a loopback farm through recvmsg and through
#    io_uring, and a replay of every fixture capture;
# 3. llvm-profdata merge, with one profile's zero counters raised to 1
#    (scripts/pgo_floor_counts.py says why: a Swift 6.3.1 abort);
# 4. xtcp and the decode/encode benchmarks built with -profile-use, and
#    without it;
# 5. scripts/pgo_compare.py: both side by side on the same farm.
#
# Leaves .build-pgo/release/xtcp (the PGO binary) and .build-pgo/default.profdata.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-36000}
rounds=${2:-3}
profdata_tool=$(dirname "$(readlink -f "$(command -v swift)")")/llvm-profdata
out=$(mktemp -d)
pids=()
. "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT
cd "$root"

echo "1. instrumented build"
swift build -c release --product xtcp --scratch-path .build-pgo-gen \
    -Xswiftc -profile-generate -Xswiftc -Xllvm -Xswiftc -instrprof-atomic-counter-update-all >/dev/null
start_loopback_farm "xtcp-pgo-$$" "$connections"

echo "2. training"
for receive in "" -ioUring; do
    LLVM_PROFILE_FILE="$out/train-%p.profraw" ip netns exec "$farm_ns" .build-pgo-gen/release/xtcp \
        -namespaces own -maxLoops 10 -frequency 1s -dest null -promListen off $receive 2>&1 | tail -1
done
find "$root/../shared/fixtures" -name '*.pcap' | while read -r capture; do
    LLVM_PROFILE_FILE="$out/train-%p.profraw" .build-pgo-gen/release/xtcp -replay "$capture" -dest null >/dev/null 2>&1 || true
done

echo "3. merge"
python3 scripts/pgo_floor_counts.py "$(ls "$out"/train-*.profraw | head -1)"
mkdir -p .build-pgo
"$profdata_tool" merge -o .build-pgo/default.profdata "$out"/train-*.profraw

echo "4. builds with and without the profile"
use=(-Xswiftc "-profile-use=$root/.build-pgo/default.profdata")
swift build -c release --product xtcp --scratch-path .build-pgo "${use[@]}" >/dev/null
swift build -c release --product xtcp >/dev/null
swift build -c release --package-path Benchmarks --product XTCPBenchmarks --scratch-path "$root/.build-pgo/bench" "${use[@]}" >/dev/null
swift build -c release --package-path Benchmarks --product XTCPBenchmarks --scratch-path "$root/.build-pgo/bench-plain" >/dev/null

echo "5. plain against PGO, $rounds rounds"
python3 scripts/pgo_compare.py "$farm_ns" .build/release/xtcp .build-pgo/release/xtcp \
    .build-pgo/bench-plain/release/XTCPBenchmarks .build-pgo/bench/release/XTCPBenchmarks "$rounds"
