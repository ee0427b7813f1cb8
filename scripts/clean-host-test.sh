#!/usr/bin/env bash
# Installs the Debian package on a host that never saw Swift and runs it
# there: a minimal Debian bookworm (debootstrap --variant=minbase, cached
# in $XTCP_CLEAN_HOST_CACHE, default /var/cache/xtcp/bookworm-minbase, and
# copied afresh each run), `apt-get install ./xtcp_*.deb` inside it (which
# must pull the runtime libraries and nothing of Swift; their files are
# what the image's runtime stage adds to debian:bookworm-slim the same
# way), /proc, /sys, /dev and /run/netns bound in. Then, inside and on this
# machine with the same binary, the same records:
#   - three polls (-maxLoops 3) of a test namespace holding a fixed set of
#     sockets, as root, and one as the package's xtcp user with only the
#     unit's three ambient capabilities (setpriv, as systemd would give them);
#   - -replay of a real kernel capture from ../shared/fixtures.
# Needs root and Debian's mirror (apt-get inside). About 20 s after the
# first run, which spends about a minute more on debootstrap. Out of the
# suite.
#   scripts/clean-host-test.sh [PACKAGE.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "clean-host: $*"; }
fail() { echo "clean-host: FAIL: $*" >&2; exit 1; }
cache=${XTCP_CLEAN_HOST_CACHE:-/var/cache/xtcp/bookworm-minbase}
fixture=../shared/fixtures/xtcp2-captures/6_6_44/tcp_1000_sockets.pcap
[ -r "$fixture" ] || fail "$fixture is missing: ../shared must sit beside the checkout"
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

package=${1:-$(scripts/package.sh 2>/tmp/xtcp-package.log)} || { tail -20 /tmp/xtcp-package.log >&2; exit 1; }
say "package $package"
if [ ! -x "$cache/bin/sh" ]; then
    say "debootstrap --variant=minbase bookworm into $cache (once; cached after)"
    rm -rf "$cache.partial"
    debootstrap --variant=minbase bookworm "$cache.partial" http://deb.debian.org/debian >/tmp/xtcp-debootstrap.log 2>&1 \
        || { tail -20 /tmp/xtcp-debootstrap.log >&2; fail "debootstrap failed"; }
    mv "$cache.partial" "$cache"
fi

host=$(mktemp -d /var/tmp/xtcp-clean-host.XXXXXX)
work=$(mktemp -d)
namespace=xtcp-clean-host-$$
farm=
cleanup() {
    [ -n "$farm" ] && kill "$farm" 2>/dev/null
    for mount in run/netns dev sys proc; do mountpoint -q "$host/$mount" && umount -l "$host/$mount"; done
    ip netns delete "$namespace" 2>/dev/null
    rm -rf "$host" "$work"
}
trap cleanup EXIT
cp -a "$cache/." "$host/"
mkdir -p /run/netns "$host/run/netns"
for mount in proc sys dev; do mount --rbind "/$mount" "$host/$mount"; done
# The namespaces' bind mounts, propagated so that one made later shows too.
mount --rbind /run/netns "$host/run/netns"
cp /etc/resolv.conf "$host/etc/resolv.conf"
cp "$package" "$host/tmp/"
cp "$fixture" "$host/tmp/capture.pcap"
inside() { chroot "$host" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

say "apt-get install ./$(basename "$package") in a minimal bookworm"
inside apt-get update -qq >"$work/apt.log" 2>&1 || { tail "$work/apt.log" >&2; fail "apt-get update"; }
before=$(inside dpkg-query -W -f '${Package}\n' | sort)
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$package")" >>"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log" >&2; fail "apt-get install"; }
added=$(comm -13 <(echo "$before") <(inside dpkg-query -W -f '${Package}\n' | sort) | tr '\n' ' ')
say "it pulled: $added"
! grep -qiE 'swift|foundation|dispatch' <<<"$added" || fail "it pulled a package of the Swift toolchain"
# What the image's runtime stage adds to bookworm: these packages' files.
# shellcheck disable=SC2086
inside dpkg-query -L $added 2>/dev/null | sort -u | while read -r path; do [ -f "$host$path" ] && echo "$path"; done >"$work/image-files"
say "their files, the image's runtime layer: $(wc -l <"$work/image-files") files, $(cd "$host" && sed 's|^/||' "$work/image-files" | xargs -d '\n' du -ck 2>/dev/null | tail -n 1 | cut -f1) KiB"
[ ! -e "$host/opt/swift" ] || fail "/opt/swift exists inside"
inside sh -c 'ldd /usr/bin/xtcp' | grep -E 'not found|swift|/opt/' && fail "the installed binary lacks libraries or names Swift's"
inside getent passwd xtcp >/dev/null || fail "the package made no xtcp user"
for file in /etc/default/xtcp /lib/systemd/system/xtcp.service /usr/share/man/man8/xtcp.8.gz; do
    [ -e "$host$file" ] || fail "$file is not installed"
done
say "$(inside xtcp -version)"

# A namespace with sockets that stay put: listeners and loopback pairs.
ip netns add "$namespace"
ip -n "$namespace" link set lo up
coproc FARM { exec ip netns exec "$namespace" python3 Tests/Scripts/small_farm.py 20; }
farm=$FARM_PID
read -r ready <&"${FARM[0]}"
[[ "$ready" == ready* ]] || fail "the socket farm said '$ready'"
inode=$(stat -L -c %i "/run/netns/$namespace")

# The sockets of the test namespace in one run's records: state, addresses
# and ports, one line each, sorted (what is stable from poll to poll).
sockets() {
    python3 -c '
import json, sys
inode = int(sys.argv[1])
rows = set()
for line in sys.stdin:
    r = json.loads(line)
    if int(r.get("netns_inode", 0)) == inode:
        rows.add(" ".join(str(r.get(k, "")) for k in ("inet_diag_msg_state", "inet_diag_msg_family",
            "inet_diag_msg_socket_source_port", "inet_diag_msg_socket_destination_port",
            "inet_diag_msg_socket_source", "inet_diag_msg_socket_destination")))
print("\n".join(sorted(rows)))
' "$inode"
}
poll=(-frequency 1s -maxLoops 3 -pollJitterPct 0 -promListen off -dest stdout -marshal jsonl)
inside xtcp "${poll[@]}" >"$work/inside.jsonl" 2>"$work/inside.log" || { cat "$work/inside.log" >&2; fail "xtcp -maxLoops 3 inside"; }
# Here: the very binary the package holds.
dpkg-deb -x "$package" "$work/package"
xtcp="$work/package/usr/bin/xtcp"
"$xtcp" "${poll[@]}" >"$work/here.jsonl" 2>"$work/here.log" || { cat "$work/here.log" >&2; fail "xtcp -maxLoops 3 here"; }
sockets <"$work/inside.jsonl" >"$work/inside.sockets"
sockets <"$work/here.jsonl" >"$work/here.sockets"
count=$(wc -l <"$work/inside.sockets")
[ "$count" -eq 82 ] || fail "inside: $count sockets of the test namespace, not 82 (2 listeners, 80 ends)"
diff "$work/inside.sockets" "$work/here.sockets" >&2 || fail "inside and here saw different sockets"
say "xtcp -maxLoops 3 inside: $(grep -c . "$work/inside.jsonl") records, $(grep -cE '^poll [0-9]+: [0-9]+ ms' "$work/inside.log") polls; the test namespace's $count sockets are those seen here"
say "  $(grep -E '^poll 3: [0-9]+ ms' "$work/inside.log")"

# As the unit runs it: the xtcp user, the three capabilities ambient.
capabilities=+net_admin,+sys_admin,+sys_ptrace
inside setpriv --reuid xtcp --regid xtcp --clear-groups --inh-caps "$capabilities" --ambient-caps "$capabilities" \
    --bounding-set "-all,$capabilities" xtcp -maxLoops 1 -pollJitterPct 0 -promListen off -dest stdout -marshal jsonl \
    >"$work/user.jsonl" 2>"$work/user.log" || { cat "$work/user.log" >&2; fail "xtcp as the xtcp user"; }
sockets <"$work/user.jsonl" | diff - "$work/here.sockets" >&2 || fail "as the xtcp user, different sockets"
say "as the xtcp user with $capabilities only: the same $count sockets; $(grep -E '^poll 1: [0-9]+ ms' "$work/user.log")"

# A real kernel's capture, replayed: every record the same, byte for byte,
# but the hostname (the chroot's /etc/hostname is debootstrap's).
inside xtcp -replay /tmp/capture.pcap -dest stdout -marshal jsonl -hostname clean-host >"$work/inside-replay.jsonl" 2>"$work/inside-replay.log" \
    || { cat "$work/inside-replay.log" >&2; fail "xtcp -replay inside"; }
"$xtcp" -replay "$fixture" -dest stdout -marshal jsonl -hostname clean-host >"$work/here-replay.jsonl" 2>"$work/here-replay.log" \
    || { cat "$work/here-replay.log" >&2; fail "xtcp -replay here"; }
cmp "$work/inside-replay.jsonl" "$work/here-replay.jsonl" || fail "-replay inside and here differ"
say "xtcp -replay $(basename "$fixture") inside: $(grep -c . "$work/inside-replay.jsonl") records, identical to here's; $(cat "$work/inside-replay.log")"
say "PASS"
