#!/usr/bin/env bash
# Builds the Debian package dist/xtcp_<version>_<arch>.deb with dpkg-deb
# alone (no network, no debhelper): the release binary as installed
# (scripts/build-release.sh), stripped, its systemd unit and /etc/default file (a
# conffile), the man page generated from the flag table (docs/xtcp.8),
# bash, zsh and fish completions from the binary itself, the copyright
# and changelog; Depends: computed by dpkg-shlibdeps from the binary's
# real shared libraries. Beside it, dist/xtcp-dbgsym_<version>_<arch>.deb
# holds the detached debug file (/usr/lib/debug/.build-id/...), which the
# CPU profiler (/debug/pprof/profile) and gdb find by build id to name
# functions. Prints the main package's path.
#   scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(scripts/build-release.sh)
version=$("$bin" -version | awk '{print $2}')
arch=$(dpkg --print-architecture)
package="dist/xtcp_${version}_${arch}.deb"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/xtcp"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/default" "$doc" \
    "$root/usr/share/man/man8" "$root/usr/share/bash-completion/completions" \
    "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"

# Stripped, as Debian ships binaries; the symbols go to the -dbgsym package.
build_id=$(readelf -n "$bin" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
[ ${#build_id} -ge 8 ] || { echo "package.sh: $bin has no GNU build id" >&2; exit 1; }
debug_root="$stage/dbgsym"
debug_file="$debug_root/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug"
install -d -m 0755 "$debug_root/DEBIAN" "$(dirname "$debug_file")" "$debug_root/usr/share/doc"
objcopy --only-keep-debug --compress-debug-sections "$bin" "$debug_file"
chmod 0644 "$debug_file"
ln -s xtcp "$debug_root/usr/share/doc/xtcp-dbgsym"
strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$root/usr/bin/xtcp" "$bin"
objcopy --add-gnu-debuglink="$debug_file" "$root/usr/bin/xtcp"
chmod 0755 "$root/usr/bin/xtcp"
install -m 0644 deploy/systemd/xtcp.service "$root/lib/systemd/system/xtcp.service"
install -m 0644 deploy/systemd/xtcp.default "$root/etc/default/xtcp"
gzip -9n < docs/xtcp.8 > "$root/usr/share/man/man8/xtcp.8.gz"
# A completion script is sourced, not run: no #! line.
"$bin" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/xtcp"
"$bin" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_xtcp"
"$bin" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/xtcp.fish"
chmod 0644 "$root"/usr/share/*/*completion*/* "$root"/usr/share/zsh/vendor-completions/_xtcp

maintainer="xtcp developers <xtcp@users.noreply.github.com>"
# Dated by the commit, so that the same revision packs the same changelog.
when=$(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
{
    echo "xtcp ($version) unstable; urgency=medium"
    echo
    echo "  * Built from revision $revision by scripts/package.sh."
    echo
    echo " -- $maintainer  $when"
} | gzip -9n > "$doc/changelog.gz"
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: xtcp"
    echo
    echo "Files: *"
    echo "Copyright: $(sed -n 's/^Copyright (c) //p' LICENSE | head -n 1)"
    echo "License: Expat"
    # The license text, its blank lines as " ." (deb822 continuation lines).
    sed -n '/^Permission is hereby granted/,$p' LICENSE | sed 's/^$/./; s/^/ /'
} > "$doc/copyright"
chmod 0644 "$doc"/*

cat > "$root/DEBIAN/conffiles" <<'EOF'
/etc/default/xtcp
EOF
# The system user the unit runs as; the unit is made known to systemd,
# neither enabled nor started: xtcp's default destination is stdout, so
# the operator sets -dest in /etc/default/xtcp first, then
# `systemctl enable --now xtcp`.
cat > "$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && ! getent passwd xtcp >/dev/null; then
    adduser --system --group --quiet --home /var/lib/xtcp --no-create-home xtcp
fi
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
exit 0
EOF
cat > "$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    deb-systemd-invoke stop xtcp.service >/dev/null || true
fi
exit 0
EOF
cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = purge ]; then
    rm -rf /var/lib/xtcp /var/log/xtcp
fi
exit 0
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

# dpkg-shlibdeps reads debian/control of a source tree: a minimal one.
mkdir -p "$stage/debian"
printf 'Source: xtcp\n\nPackage: xtcp\nArchitecture: any\n' > "$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O root/usr/bin/xtcp 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies of $bin" >&2; exit 1; }
# The md5sums of a package's files, and its Installed-Size (KiB).
describe_files() {
    (cd "$1" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$1/DEBIAN/md5sums"
    chmod 0644 "$1/DEBIAN/md5sums"
    du -sk --exclude=DEBIAN "$1" | cut -f1
}
chmod 0644 "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<EOF
Package: xtcp
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(describe_files "$root")
Depends: adduser, $shlibs
Suggests: lldpd
Section: net
Priority: optional
Description: TCP socket diagnostics of every network namespace, streamed
 xtcp polls the kernel's TCP sockets with netlink sock_diag in every network
 namespace of the host: what ss -tiem shows (tcp_info, congestion control,
 BBR, DCTCP and Vegas info, socket memory), one flat protobuf record per
 socket, batched into envelopes and sent to Kafka, a file, stdout or UDP.
 Prometheus metrics, health and profiles are served on loopback.
EOF
cat > "$debug_root/DEBIAN/control" <<EOF
Package: xtcp-dbgsym
Source: xtcp
Version: $version
Auto-Built-Package: debug-symbols
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(describe_files "$debug_root")
Depends: xtcp (= $version)
Section: debug
Priority: optional
Description: debug symbols for xtcp
Build-Ids: $build_id
EOF
mkdir -p dist
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >&2
dpkg-deb --root-owner-group -Zxz --build "$debug_root" "dist/xtcp-dbgsym_${version}_${arch}.deb" >&2
echo "$package"
