#!/usr/bin/env bash
# The whole test suite: installs what is missing (as scripts/setup.sh does,
# without the release build), then `swift test`. Needs root: tests open real
# sockets in network namespaces they create, and read real netlink.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
# Serially: the namespace tests count the threads and files of an xtcp that
# polls every namespace on the host, which other tests running at the same
# time would add to.
swift test --skip-build --no-parallel 2>&1 | tee /tmp/xtcp-test.log
# A short round of each fuzz target under AddressSanitizer (scripts/fuzz.sh
# runs long ones): a crash fails the suite.
scripts/fuzz.sh decoder 0 -runs=300000 2>&1 | tail -5
scripts/fuzz.sh capture 0 -runs=300000 2>&1 | tail -5
# Expressions longer than 4 KiB parse slowly and find nothing new.
scripts/fuzz.sh filter 0 -runs=300000 -max_len=4096 2>&1 | tail -5
# A request head is at most 8 KiB; a little more shows what is past it.
scripts/fuzz.sh http 0 -runs=300000 -max_len=9000 2>&1 | tail -5
# The Debian package as installed: its files, Depends: and lintian; its
# binary with no library of the Swift toolchain, the revision in -version.
scripts/check-package.sh
