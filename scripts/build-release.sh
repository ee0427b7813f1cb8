#!/usr/bin/env bash
# Builds the release xtcp as it is installed: the Swift standard library
# linked in (--static-swift-stdlib), so the binary's shared libraries are
# Debian's runtime packages only (libc, librdkafka1, liburing2, libmnl0,
# libprotobuf-c1, zlib1g), never the toolchain's; and the revision, the
# commit's day and the compiler recorded for `xtcp -version` and
# xtcp_build_info. Prints the binary's path.
#   scripts/build-release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
day=$(git log -1 --format=%cs 2>/dev/null || echo unknown)
compiler=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -n 1)
swift build -c release --product xtcp --static-swift-stdlib \
    -Xcc "-DXTCP_BUILD_REVISION=\"$revision\"" -Xcc "-DXTCP_BUILD_DATE=\"$day\"" -Xcc "-DXTCP_BUILD_SWIFT=\"${compiler:-unknown}\"" >&2
echo "$(swift build -c release --show-bin-path)/xtcp"
