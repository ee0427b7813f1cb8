#!/usr/bin/env bash
# Runs xtcp's benchmarks (Benchmarks/, ordo-one/package-benchmark) and checks
# each p90 against the goals in Benchmarks/Thresholds/. Exit 0 when every goal
# holds (the whole-poll benchmarks have their own script, poll-benchmark.sh).
# Not part of the test suite: timings on a shared machine are noisy,
# and a first build of the benchmark tool takes a few minutes.
#
#   scripts/benchmarks.sh                 # all benchmarks, checked
#   scripts/benchmarks.sh --filter 'Decode.*'
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift package --allow-writing-to-package-directory benchmark thresholds check --target XTCPBenchmarks --no-progress "$@" 2>&1 | tee "$log"
set -e
# The plugin turns every non-zero exit of the tool into 1, "better than the
# thresholds" included, so the verdict is read from what the tool printed.
if grep -q "is WORSE than the defined thresholds" "$log"; then
    echo "benchmarks: a goal was missed: see the tables above" >&2
    exit 1
elif grep -q -e "is BETTER than the defined thresholds" -e "is EQUAL to the defined thresholds" "$log"; then
    echo "benchmarks: every goal holds"
else
    echo "benchmarks: the run failed: see above" >&2
    exit 1
fi
