#!/usr/bin/env bash
# Fuzzes xtcp's input parsers with libFuzzer under AddressSanitizer, seeded
# from the xtcp2 captures in ../shared/fixtures. Targets:
#   decoder   the netlink decoder and the envelope encoder, one receive buffer
#   capture   the -replay reader (pcap or `ss -D`), then the decoder
#   filter    the -filter parser (printed form parsed back), compiler, evaluator
#   http      the HTTP listener's request-head parser (cut anywhere) and query parser
#
#   scripts/fuzz.sh decoder              # 60 seconds
#   scripts/fuzz.sh capture 3600         # an hour
#   scripts/fuzz.sh decoder 0 -runs=10000000   # extra libFuzzer flags after the time
#
# A crasher lands in fuzz-artifacts/TARGET/ (git-ignored); re-run it with
# `swift run xtcp-fuzz TARGET fuzz-artifacts/TARGET/crash-…` and turn it into
# a test. The corpus grows in .build-fuzz/corpus-TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-}
case "$target" in
    decoder|capture|filter|http) shift ;;
    *) echo "usage: scripts/fuzz.sh decoder|capture|filter|http [SECONDS] [LIBFUZZER FLAGS…]" >&2; exit 2 ;;
esac
seconds=${1:-60}
shift || true

build=.build-fuzz
swift build -c release --product xtcp-fuzz --scratch-path "$build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DXTCP_LIBFUZZER

corpus="$build/corpus-$target"
mkdir -p "$corpus"
# The seeds are written by the plain build of the same target, which reads
# captures with the project's own CaptureFile.
swift build --product xtcp-fuzz
find ../shared/fixtures/xtcp2-captures -name '*.pcap' -print0 \
    | xargs -0 "$(swift build --show-bin-path)/xtcp-fuzz" "$target" -seed-corpus "$corpus"
mkdir -p "fuzz-artifacts/$target"
limit=()
if [ "$seconds" != 0 ]; then limit=(-max_total_time="$seconds"); fi
"$build/release/xtcp-fuzz" "$target" "$corpus" "${limit[@]}" -max_len=65536 \
    -artifact_prefix="fuzz-artifacts/$target/" -print_final_stats=1 "$@"
