#!/usr/bin/env bash
# The whole test suite: installs what is missing (as scripts/setup.sh does,
# without the release build), then `swift test`. Needs root: tests open real
# sockets in network namespaces they create, and read real netlink.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libmnl-dev liburing-dev librdkafka-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler iproute2 pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
python3 -c 'import chdb, google.protobuf' 2>/dev/null || python3 -m pip install -q chdb protobuf
swift build --build-tests
swift test --skip-build 2>&1 | tee /tmp/xtcp-test.log
