# Sourced by the benchmark scripts: socket farms. Needs root. The caller sets
# `root` (the package) and `out` (a scratch directory), keeps the `pids`
# array, and calls farm_cleanup on exit.
#
#   start_loopback_farm NAMESPACE CONNECTIONS [PROCESSES [SCRIPT]]
#   start_namespace_farm COUNT PER
#
# CONNECTIONS loopback connections (2 sockets each), IPv4 and IPv6, spread
# over PROCESSES (8) python processes, RLIMIT_NOFILE being 20,000 each. The
# farm's ephemeral ports span 1024-65000, so a client may hold any port
# there: xtcp run in it takes `-promListen off`. SCRIPT (loopback_farm.py)
# is any farm script of Tests/Scripts taking PER HOST PORT; each process's
# stdin stays open, its descriptor in farm_inputs, for farms that take
# commands (close_farm.py: go). With farm_cgroups set (a folder in the
# cgroup v2 hierarchy), process N starts in its own cgroup there, named as
# Docker names a container's (docker-<N as 64 hex>.scope), so its sockets
# have that owner; farm_cleanup removes them.
# Returns when every process says ready.

start_loopback_farm() {
    farm_ns=$1
    local connections=$2 processes=${3:-8} script=${4:-loopback_farm.py}
    local per=$(( (connections + processes - 1) / processes )) i host hold cgroup
    local launch=()
    ip netns add "$farm_ns"
    ip netns exec "$farm_ns" ip link set lo up
    ip netns exec "$farm_ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.core.somaxconn=8192
    farm_inputs=()
    for i in $(seq 0 $((processes - 1))); do
        host=127.0.0.1; [ $((i % 2)) = 1 ] && host=::1
        mkfifo "$out/farm$i"
        if [ -n "${farm_cgroups:-}" ]; then
            cgroup="$farm_cgroups/docker-$(printf '%064x' $((i + 1))).scope"
            mkdir -p "$cgroup"
            # In the cgroup before the first socket: a socket keeps the
            # cgroup it was made in.
            launch=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cgroup")
        fi
        # Listeners below the ephemeral range, so that no client takes a port first.
        "${launch[@]}" ip netns exec "$farm_ns" python3 "$root/Tests/Scripts/$script" "$per" "$host" $((900 + i)) \
            <"$out/farm$i" >"$out/farm$i.out" 2>"$out/farm$i.err" &
        pids+=($!)
        exec {hold}>"$out/farm$i"   # keeps the farm's stdin open
        farm_inputs+=("$hold")
    done
    for i in $(seq 0 $((processes - 1))); do
        until grep -q ready "$out/farm$i.out" 2>/dev/null; do
            kill -0 "${pids[$i]}" 2>/dev/null || { echo "farm $i failed: $(cat "$out/farm$i.err")" >&2; exit 1; }
            sleep 0.2
        done
    done
    echo "farm: $(ip netns exec "$farm_ns" ss -tanH | wc -l) sockets in $farm_ns"
}

# COUNT namespaces of PER loopback connections each (namespace_farm.py:
# xtcp-bench-ns-N, 2 + 2 × PER sockets each) over two processes; the farm
# deletes its namespaces when it ends.
start_namespace_farm() {
    local count=$1 per=$2 part first n hold
    local half=$(( (count + 1) / 2 ))
    for part in 0 1; do
        first=$(( part * half )); n=$(( part == 0 ? half : count - half ))
        mkfifo "$out/farm$part"
        python3 "$root/Tests/Scripts/namespace_farm.py" xtcp-bench-ns "$first" "$n" "$per" <"$out/farm$part" >"$out/farm$part.out" &
        pids+=($!)
        exec {hold}>"$out/farm$part"   # keeps the farm's stdin open
    done
    for part in 0 1; do
        until grep -q ready "$out/farm$part.out" 2>/dev/null; do
            kill -0 "${pids[$part]}" 2>/dev/null || { echo "namespace farm $part failed" >&2; exit 1; }
            sleep 0.2
        done
    done
    echo "farm: $count namespaces, $(cat "$out"/farm*.out | awk '{s += $2} END {print s}') sockets"
}

farm_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${farm_ns:-}" ] && ip netns del "$farm_ns" 2>/dev/null || true
    if [ -n "${farm_cgroups:-}" ] && [ -d "$farm_cgroups" ]; then
        find "$farm_cgroups" -depth -type d -exec rmdir {} + 2>/dev/null || true
    fi
    rm -rf "$out"
}
