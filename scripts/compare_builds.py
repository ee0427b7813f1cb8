#!/usr/bin/env python3
"""The measuring half of scripts/compare-builds.sh: runs each xtcp binary
given (the first is the one under test), in interleaved rounds; samples the
process's threads every 50 ms; reports the most threads seen, CPU per poll
and peak RSS (medians over rounds), and whether every poll saw every farm
socket with no incomplete dump. Exit 1 when a poll missed sockets or the
binary under test ran more than --max-threads threads.

usage: compare_builds.py --farm-sockets N --rounds R [--prefix CMD] [--flags FLAGS] [--max-threads T] XTCP [BASELINE_XTCP]
"""
import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import threading
import time

POLLS = 6


def run(command, farm_sockets):
    """One run: (most threads, CPU ms per poll, peak RSS kB, problems)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    most = [0]

    def sample():
        while process.poll() is None:
            try:
                # `ip netns exec` execs xtcp in place: the pid is xtcp's.
                most[0] = max(most[0], len(os.listdir("/proc/%d/task" % process.pid)))
            except OSError:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stderr = process.communicate()[1]
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000 / POLLS
    problems = []
    polls = [line for line in stderr.splitlines() if re.match(r"poll \d+: \d+ ms", line)]
    if len(polls) != POLLS or process.returncode != 0:
        problems.append("exit %d, %d poll lines: %s" % (process.returncode, len(polls), stderr[-500:]))
    for line in polls:
        sockets = int(re.search(r" sockets=(\d+)", line).group(1))
        # A namespace gone between its reconcile and its dump had nothing to lose.
        if sockets < farm_sockets or re.search(r"dumpsFailed|dumpsStalled|dumpsTimedOut", line):
            problems.append(line)
    peak = re.search(r"peakRSS=(\d+)kB", stderr)
    return most[0], cpu, int(peak.group(1)) if peak else 0, problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--farm-sockets", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--flags", default="")
    parser.add_argument("--max-threads", type=int)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    binaries = args.binaries
    names = ["under test"] + ["baseline"] * (len(binaries) - 1)
    flags = shlex.split(args.flags) + ["-maxLoops", str(POLLS), "-pollJitterPct", "0", "-dest", "null", "-promListen", "off"]
    results = {b: [] for b in binaries}
    failed = False
    for round_ in range(args.rounds):
        for binary in (binaries if round_ % 2 == 0 else list(reversed(binaries))):
            most, cpu, peak, problems = run(shlex.split(args.prefix) + [binary] + flags, args.farm_sockets)
            results[binary].append((most, cpu, peak))
            print("round %d, %s: %d threads at most, %.0f ms CPU per poll, peak RSS %d kB%s" % (
                round_ + 1, names[binaries.index(binary)], most, cpu, peak,
                "" if not problems else "; INCOMPLETE: " + " | ".join(problems[:3])), file=sys.stderr)
            failed = failed or bool(problems)
    print("`%s` (median of %d rounds of %d polls, %d farm sockets)" % (" ".join(flags), args.rounds, POLLS, args.farm_sockets))
    print()
    print("| xtcp | most threads | CPU ms per poll | / baseline | peak RSS kB | / baseline | CPU every round |")
    print("|---|---|---|---|---|---|---|")
    base_cpu = statistics.median(r[1] for r in results[binaries[-1]])
    base_rss = statistics.median(r[2] for r in results[binaries[-1]])
    for binary in binaries:
        rows = results[binary]
        cpu, rss = statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows)
        print("| %s | %d | %.0f | %.3f | %.0f | %.3f | %s |" % (
            names[binaries.index(binary)], max(r[0] for r in rows), cpu, cpu / base_cpu, rss, rss / base_rss if base_rss else 0,
            ", ".join("%.0f" % r[1] for r in rows)))
    if args.max_threads is not None and max(r[0] for r in results[binaries[0]]) > args.max_threads:
        print("the binary under test ran more than %d threads" % args.max_threads, file=sys.stderr)
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
