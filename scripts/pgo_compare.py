#!/usr/bin/env python3
"""The plain and the profile-guided builds side by side, in one run, rounds
interleaved so that the machine's drift falls on both alike:

- decode, encode and both, per socket: the XTCPBenchmarks executables of
  each build (package-benchmark's runner, run directly), p50 of ns per socket;
- whole polls: each xtcp binary polling the farm's namespace with
  `-dest null`, CPU user and system per poll from the children's rusage.

    pgo_compare.py NAMESPACE PLAIN_XTCP PGO_XTCP PLAIN_BENCH PGO_BENCH [ROUNDS]
"""
import re
import resource
import statistics
import subprocess
import sys

BENCHMARKS = ["Decode_6.10", "Encode_6.10", "Decode+encode_6.10"]
POLLS = 20


def benchmark_p50(executable, name):
    """p50 of the 'ns per socket' (decode) or 'ns per record' (encode) metric of one benchmark."""
    output = subprocess.run([executable, "--filter", "^" + re.escape(name) + "$"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout
    section = re.split(r"ns per (?:socket|record):", output, maxsplit=1)[1]
    for line in section.splitlines():
        fields = line.split()
        if len(fields) >= 3 and re.fullmatch(r"[0-9.]+", fields[0]) and float(fields[1]) >= 0.5:
            return float(fields[0])
    raise SystemExit(f"{executable} {name}: no p50 in its output")


def poll_cpu(namespace, xtcp):
    """CPU user and system ms per poll of `POLLS` polls, and the sockets per poll."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(["ip", "netns", "exec", namespace, xtcp, "-namespaces", "own", "-netlinkers", "1",
                          "-maxLoops", str(POLLS), "-frequency", "250ms", "-pollJitterPct", "0", "-dest", "null", "-promListen", "off"],
                         capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sockets = int(re.search(r"polls: sockets=(\d+)", run.stderr).group(1)) // POLLS
    return ((after.ru_utime - before.ru_utime) * 1000 / POLLS, (after.ru_stime - before.ru_stime) * 1000 / POLLS, sockets)


def main():
    namespace, plain_xtcp, pgo_xtcp, plain_bench, pgo_bench = sys.argv[1:6]
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    results = {}
    for round_ in range(rounds):
        for build, bench, xtcp in [("plain", plain_bench, plain_xtcp), ("pgo", pgo_bench, pgo_xtcp)]:
            for name in BENCHMARKS:
                results.setdefault((build, name), []).append(benchmark_p50(bench, name))
            user, system, sockets = poll_cpu(namespace, xtcp)
            results.setdefault((build, "poll user"), []).append(user)
            results.setdefault((build, "poll system"), []).append(system)
            results.setdefault((build, "poll CPU"), []).append(user + system)
        print(f"round {round_ + 1} of {rounds} done ({sockets} sockets per poll)", file=sys.stderr)
    print(f"| median of {rounds} rounds | plain | PGO | PGO / plain |")
    print("|---|---|---|---|")
    for name, unit in [(n, "ns/socket or record, p50") for n in BENCHMARKS] + [(n, "ms/poll") for n in ["poll user", "poll system", "poll CPU"]]:
        plain = statistics.median(results[("plain", name)])
        pgo = statistics.median(results[("pgo", name)])
        print(f"| {name} ({unit}) | {plain:.1f} | {pgo:.1f} | {pgo / plain:.3f} |")
    print(f"\nsockets per poll: {sockets}; every sample: " +
          "; ".join(f"{build} {name} {[round(v, 1) for v in values]}" for (build, name), values in sorted(results.items())))


if __name__ == "__main__":
    main()
