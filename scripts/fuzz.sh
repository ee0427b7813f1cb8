#!/usr/bin/env bash
# Fuzzes the netlink decoder and the envelope encoder with libFuzzer under
# AddressSanitizer, seeded with every sock_diag datagram of the xtcp2
# captures in ../shared/fixtures.
#
#   scripts/fuzz.sh              # 60 seconds
#   scripts/fuzz.sh 3600         # an hour
#   scripts/fuzz.sh 0 -runs=10000000   # extra libFuzzer flags after the time
#
# A crasher lands in fuzz-artifacts/decoder/ (git-ignored); re-run it with
# `swift run xtcp-fuzz-decoder fuzz-artifacts/decoder/crash-…` and turn it
# into a test. The corpus grows in .build-fuzz/corpus-decoder/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true

build=.build-fuzz
swift build -c release --product xtcp-fuzz-decoder --scratch-path "$build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DXTCP_LIBFUZZER

corpus="$build/corpus-decoder"
mkdir -p "$corpus"
# The seeds are written by the plain build of the same target, which reads
# captures with the project's own CaptureFile.
swift build --product xtcp-fuzz-decoder
find ../shared/fixtures/xtcp2-captures -name '*.pcap' -print0 \
    | xargs -0 "$(swift build --show-bin-path)/xtcp-fuzz-decoder" -seed-corpus "$corpus"
mkdir -p fuzz-artifacts/decoder
limit=()
if [ "$seconds" != 0 ]; then limit=(-max_total_time="$seconds"); fi
"$build/release/xtcp-fuzz-decoder" "$corpus" "${limit[@]}" \
    -artifact_prefix=fuzz-artifacts/decoder/ -print_final_stats=1 "$@"
