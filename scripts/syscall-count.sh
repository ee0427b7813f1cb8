#!/usr/bin/env bash
# Syscalls and context switches per poll of the xtcp release binary, with
# recvmsg netlinkers and with io_uring rings (both receive paths), counted by perf (tracepoint
# raw_syscalls:sys_enter and the context-switches software event) over 1
# poll and over 11: the difference over 10 is one poll, start-up excluded.
# Runs where it is started (inside a farm namespace: `ip netns exec NS`),
# with any extra xtcp flags given.
#
#   scripts/syscall-count.sh [XTCP FLAGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
xtcp="$root/.build/release/xtcp"
swift build --package-path "$root" -c release --product xtcp >/dev/null
count() {  # polls, mode flags...
    local polls=$1; shift
    perf stat -x, -e raw_syscalls:sys_enter,context-switches -- \
        "$xtcp" -maxLoops "$polls" -frequency 300ms -pollJitterPct 0 -dest null -promListen off "$@" 2>&1 >/dev/null |
        awk -F, '/raw_syscalls/ {s = $1} /context-switches/ {c = $1} END {print s, c}'
}
echo "| receive path | syscalls per poll | context switches per poll |"
echo "|---|---|---|"
for mode in recvmsg "io_uring, one receive per datagram" "io_uring, multishot"; do
    flags=("$@")
    case $mode in
        *datagram) flags+=(-ioUring -ioUringMultishot false) ;;
        *multishot) flags+=(-ioUring) ;;
    esac
    read -r s1 c1 < <(count 1 "${flags[@]}")
    read -r s11 c11 < <(count 11 "${flags[@]}")
    echo "| $mode | $(( (s11 - s1) / 10 )) | $(( (c11 - c1) / 10 )) |"
done
