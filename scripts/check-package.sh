#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh) and checks what an
# operator's host gets from it: the files dpkg-deb lists; a Depends: of
# Debian's runtime packages, none of the Swift toolchain; a stripped binary
# whose shared libraries are Debian's only (no libswift*, libFoundation*,
# libdispatch, /opt/swift) and whose -version names the revision built;
# the debug file in xtcp-dbgsym under the binary's build id; and lintian
# reporting no error.
#   scripts/check-package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check-package: $*" >&2; exit 1; }
package=$(scripts/package.sh 2>/tmp/xtcp-package.log) || { tail -20 /tmp/xtcp-package.log >&2; exit 1; }
files=$(dpkg-deb -c "$package" | awk '{print $6}')
for expected in ./usr/bin/xtcp ./lib/systemd/system/xtcp.service ./etc/default/xtcp ./usr/share/man/man8/xtcp.8.gz \
    ./usr/share/bash-completion/completions/xtcp ./usr/share/zsh/vendor-completions/_xtcp \
    ./usr/share/fish/vendor_completions.d/xtcp.fish ./usr/share/doc/xtcp/copyright ./usr/share/doc/xtcp/changelog.gz; do
    grep -qxF "$expected" <<<"$files" || fail "$package lacks $expected"
done
[ "$(dpkg-deb -f "$package" Package)" = xtcp ] || fail "$package is not the xtcp package"
conffiles=$(dpkg-deb --ctrl-tarfile "$package" | tar -xO ./conffiles)
grep -qxF /etc/default/xtcp <<<"$conffiles" || fail "/etc/default/xtcp is not a conffile"
depends=$(dpkg-deb -f "$package" Depends)
for runtime in libc6 librdkafka1 liburing2 libmnl0 zlib1g libprotobuf-c1 libzstd1 libssl3 libcurl4 adduser; do
    grep -q "\b$runtime\b" <<<"$depends" || fail "Depends: lacks $runtime: $depends"
done
! grep -qiE 'swift|foundation|dispatch' <<<"$depends" || fail "Depends: names the Swift toolchain: $depends"
# liblldpctl is loaded at run time where lldpd is installed: Debian ships it
# inside lldpd, and depending on it would install and start lldpd everywhere.
! grep -qiE 'lldp' <<<"$depends" || fail "Depends: names lldpd or its library: $depends"
[ "$(dpkg-deb -f "$package" Suggests)" = lldpd ] || fail "Suggests: is not lldpd"

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$package" "$unpacked"
bin="$unpacked/usr/bin/xtcp"
file "$bin" | grep -q ', stripped' || fail "the packaged binary is not stripped: $(file "$bin")"
libraries=$(ldd "$bin")
if grep -E 'libswift|libFoundation|libdispatch|/opt/swift|not found' <<<"$libraries" >&2; then
    fail "the packaged binary needs the libraries above, which a host without the Swift toolchain lacks"
fi
revision=$(git describe --always --dirty)
version=$("$bin" -version)
grep -q "revision $revision," <<<"$version" || fail "-version says '$version', not revision $revision"
build_id=$(readelf -n "$bin" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
debug_package="${package/xtcp_/xtcp-dbgsym_}"
debug_files=$(dpkg-deb -c "$debug_package")
grep -qF "./usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug" <<<"$debug_files" \
    || fail "$debug_package has no debug file for build id $build_id"
lint=$(lintian "$package" "$debug_package" 2>&1 | grep -v 'running with root privileges' || true)
! grep -q '^E:' <<<"$lint" || fail "lintian: $lint"
echo "check-package: $package: $version; Depends: $depends; lintian: ${lint:-nothing to say}"
