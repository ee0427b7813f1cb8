#!/usr/bin/env bash
# The whole test suite: installs what is missing (as scripts/setup.sh does,
# without the release build), then `swift test`. Needs root: tests open real
# sockets in network namespaces they create, and read real netlink.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee /tmp/xtcp-test.log
