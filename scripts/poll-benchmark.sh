#!/usr/bin/env bash
# Whole polls of a loopback farm (default 50,000 connections = 100,000
# sockets, IPv4 and IPv6) in a namespace of its own, with the mock Kafka
# broker beside it: runs Benchmarks/ target PollBenchmarks inside the
# namespace and prints each benchmark's p90 figures and the ratios to the
# kernel's floor measured in the same run (goals: CPU <= 1.5x, wall <= 1.3x,
# peak RSS with Kafka <= 48 MB, mallocs per poll not growing with sockets).
# Needs root. Not part of the test suite (noisy, minutes long).
#
#   scripts/poll-benchmark.sh [CONNECTIONS]
#   scripts/poll-benchmark.sh filter [CONNECTIONS]   # with and without a -filter keeping ~1 %
#   scripts/poll-benchmark.sh formats [CONNECTIONS]   # jsonl, csv, tsv, msgpack; tcp:, unix:; against null
#   scripts/poll-benchmark.sh owners [mixed] [CONNECTIONS]   # with and without -resolveContainerId;
#       mixed: each farm process in a cgroup of its own named as Docker names
#       them, so that the rows' owner changes almost every row (the worst case)
#   scripts/poll-benchmark.sh namespaces [COUNT] [CONNECTIONS]   # COUNT namespaces (256) of
#       CONNECTIONS connections (50: 101 sockets each), every namespace polled,
#       syscall netlinkers against io_uring rings (goals: CPU <= 1.05x, RSS <= 1.10x,
#       threads <= 8 with rings)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = namespaces ]; then
    count=${2:-256}
    per=${3:-50}
    out=$(mktemp -d)
    pids=()
    . "$root/scripts/lib/farms.sh"
    trap farm_cleanup EXIT
    start_namespace_farm "$count" "$per"
    cd "$root/Benchmarks"
    swift build -c release --product PollBenchmarks >"$out/build.log" || { cat "$out/build.log"; exit 1; }
    env XTCP_BENCH_NAMESPACES=all XTCP_BENCH_SAMPLES="$out" \
        swift package --allow-writing-to-package-directory benchmark --target PollBenchmarks --no-progress \
        --filter 'Poll_null_netlinkers1$' --filter 'Poll_null_netlinkers4(_mallocs)?$' --filter 'Poll_uring1?_null_netlinkers4(_mallocs)?$' \
        --format metricP90AbsoluteThresholds --path "$out"
    python3 "$root/scripts/poll_benchmark_report.py" "$out" Poll_null_netlinkers4 || status=$?
    "$root/scripts/syscall-count.sh"
    exit "${status:-0}"
fi
# `filter [CONNECTIONS]`: only the floor and the 4-netlinker poll, with and
# without a -filter keeping about 1 % of the sockets, and with -changesOnly.
only=()
if [ "${1:-}" = filter ]; then
    shift
    only=(--filter 'Poll_floor(_filter1pct)?$' --filter 'Poll_null_netlinkers4(_filter1pct|_changesOnly)?$')
fi
# `owners [CONNECTIONS]`: the 4-netlinker poll with each socket's owner
# looked up by its cgroup (the default) and without (goals: CPU <= 1.03x,
# mallocs per poll unchanged).
if [ "${1:-}" = owners ]; then
    shift
    only=(--filter 'Poll_floor$' --filter 'Poll_null_netlinkers4(_ownersOff)?(_mallocs)?$')
    if [ "${1:-}" = mixed ]; then
        shift
        farm_cgroups="$(findmnt -n -t cgroup2 -o TARGET | head -n 1)/xtcp-bench-$$"
    fi
fi
# `formats [CONNECTIONS]`: the 4-netlinker poll into null in every output
# format, and into the stream destinations (tcp:, unix:) with a reader that
# discards, against protobufList into null.
if [ "${1:-}" = formats ]; then
    shift
    only=(--filter 'Poll_floor$' --filter 'Poll_null_netlinkers4(_jsonl|_csv|_tsv|_msgpack)?$' --filter 'Poll_(tcp|unix|valkey|valkey_stream|nats|nats_jetstream|http|s3|s3_parquet)_netlinkers4$')
    valkey=yes
fi
connections=${1:-50000}
out=$(mktemp -d)
pids=()
. "$root/scripts/lib/farms.sh"
trap farm_cleanup EXIT

swift build --package-path "$root" --product xtcp-kafka-mock >/dev/null
start_loopback_farm "xtcp-bench-$$" "$connections"
ns=$farm_ns

mkfifo "$out/mock"
ip netns exec "$ns" "$root/.build/debug/xtcp-kafka-mock" 1 xtcp 4 <"$out/mock" >"$out/mock.out" &
pids+=($!)
exec {mockhold}>"$out/mock"
until grep -q bootstrap "$out/mock.out" 2>/dev/null; do sleep 0.1; done
bootstrap=$(awk '/bootstrap/{print $2}' "$out/mock.out")
if [ -n "${valkey:-}" ]; then
    # redis-server in the farm's namespace, for the valkey: rows.
    ip netns exec "$ns" redis-server --port 65102 --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.out" &
    pids+=($!)
    until ip netns exec "$ns" redis-cli -p 65102 ping >/dev/null 2>&1; do sleep 0.1; done
    # nats-server with JetStream and a stream keeping the last 50 envelopes
    # (ports above the farm's ephemeral range, 1024-65000),
    # and an HTTP server answering 200, for the nats: and http:// rows.
    mkdir -p "$out/js"
    ip netns exec "$ns" nats-server -js -sd "$out/js" -a 127.0.0.1 -p 65101 >"$out/nats.out" 2>&1 &
    pids+=($!)
    until ip netns exec "$ns" python3 -c 'import socket; socket.create_connection(("127.0.0.1", 65101), 0.2)' 2>/dev/null; do sleep 0.1; done
    ip netns exec "$ns" python3 -c 'import asyncio, nats
async def main():
    nc = await nats.connect("nats://127.0.0.1:65101")
    await nc.jetstream().add_stream(name="XTCP_BENCH", subjects=["xtcp-bench"], max_msgs=50)
    await nc.close()
asyncio.run(main())'
    mkfifo "$out/http"
    ip netns exec "$ns" python3 "$root/Tests/Scripts/http_collector.py" http /dev/null <"$out/http" >"$out/http.out" &
    pids+=($!)
    exec {httphold}>"$out/http"
    until grep -q ready "$out/http.out" 2>/dev/null; do sleep 0.1; done
    http_url="http://127.0.0.1:$(awk '/ready/{print $2}' "$out/http.out")/ingest"
    # SeaweedFS's S3 server with a bucket and a key, for the s3: rows.
    mkdir -p "$out/weed"
    printf '{"identities":[{"name":"b","credentials":[{"accessKey":"xtcp-bench","secretKey":"xtcp-bench-secret"}],"actions":["Admin","Read","Write","List"]}]}' >"$out/s3.json"
    ip netns exec "$ns" weed server -dir="$out/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port=65111 -master.port.grpc=65112 \
        -volume.port=65113 -volume.port.grpc=65114 -filer.port=65115 -filer.port.grpc=65116 -s3 -s3.port=65117 -s3.port.grpc=65118 \
        -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$out/s3.json" -volume.max=64 -webdav=false -iam=false -metricsPort=0 >"$out/weed.out" 2>&1 &
    pids+=($!)
    until nsenter --net="/run/netns/$ns" python3 "$root/Tests/Scripts/s3_tool.py" http://127.0.0.1:65117 xtcp-bench xtcp-bench-secret mkbucket xtcp-bench >/dev/null 2>&1; do sleep 0.5; done
fi

cd "$root/Benchmarks"
swift build -c release --product PollBenchmarks >"$out/build.log" || { cat "$out/build.log"; exit 1; }
# nsenter, not ip netns exec: that remounts /sys, and the cgroup hierarchy
# under it with it, so the owner index would find none and be off.
nsenter --net="/run/netns/$ns" env XTCP_BENCH_KAFKA="$bootstrap" XTCP_BENCH_SAMPLES="$out" ${valkey:+XTCP_BENCH_VALKEY=127.0.0.1:65102 XTCP_BENCH_NATS=127.0.0.1:65101 XTCP_BENCH_HTTP=$http_url XTCP_BENCH_S3=http://127.0.0.1:65117} \
    swift package --allow-writing-to-package-directory benchmark --target PollBenchmarks --no-progress "${only[@]}" \
    --format metricP90AbsoluteThresholds --path "$out"
python3 "$root/scripts/poll_benchmark_report.py" "$out" || status=$?
nsenter --net="/run/netns/$ns" "$root/scripts/syscall-count.sh" -namespaces own
exit "${status:-0}"
