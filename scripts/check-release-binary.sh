#!/usr/bin/env bash
# Builds the release binary as it is installed (scripts/build-release.sh)
# and checks what an operator's host needs of it: no shared library of the
# Swift toolchain (libswift*, libFoundation*, libdispatch, /opt/swift), only
# Debian's runtime packages; and `-version` naming the revision built.
#   scripts/check-release-binary.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(scripts/build-release.sh 2>/tmp/xtcp-build-release.log) || { tail -20 /tmp/xtcp-build-release.log >&2; exit 1; }
libraries=$(ldd "$bin")
if grep -E 'libswift|libFoundation|libdispatch|/opt/swift|not found' <<<"$libraries" >&2; then
    echo "check-release-binary: $bin needs the libraries above, which a host without the Swift toolchain lacks" >&2
    exit 1
fi
revision=$(git describe --always --dirty)
version=$("$bin" -version)
if ! grep -q "revision $revision," <<<"$version"; then
    echo "check-release-binary: -version says '$version', not revision $revision" >&2
    exit 1
fi
echo "check-release-binary: $bin: $version; shared libraries: $(awk '/=>/ {print $1}' <<<"$libraries" | tr '\n' ' ')"
