#!/usr/bin/env python3
"""The measuring half of scripts/namespace-threads.sh: runs each xtcp binary
given (the first is the one under test), in interleaved rounds, polling every
namespace; samples the process's threads every 50 ms; reports the most
threads seen, CPU per poll (median over rounds) and whether every poll saw
every farm socket with no incomplete dump. Exit 1 when a poll missed
sockets or the binary under test ran more than 8 threads.

usage: namespace_threads.py FARM_SOCKETS ROUNDS XTCP [BASELINE_XTCP]
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time

POLLS = 6
FLAGS = ["-netlinkers", "4", "-cpus", "4", "-maxLoops", str(POLLS), "-frequency", "3s", "-pollJitterPct", "0",
         "-dest", "null", "-promListen", "off"]


def run(binary, farm_sockets):
    """One run: (most threads, CPU ms per poll, problems)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([binary] + FLAGS, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    most = [0]

    def sample():
        while process.poll() is None:
            try:
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
        if sockets < farm_sockets or re.search(r"dumpsFailed|dumpsStalled|dumpsTimedOut", line):
            problems.append(line)
    return most[0], cpu, problems


def main():
    farm_sockets, rounds, binaries = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    names = ["under test"] + ["baseline"] * (len(binaries) - 1)
    threads = {b: [] for b in binaries}
    cpu = {b: [] for b in binaries}
    failed = False
    for round_ in range(rounds):
        for binary in (binaries if round_ % 2 == 0 else list(reversed(binaries))):
            most, per_poll, problems = run(binary, farm_sockets)
            threads[binary].append(most)
            cpu[binary].append(per_poll)
            print("round %d, %s: %d threads at most, %.0f ms CPU per poll%s" % (
                round_ + 1, names[binaries.index(binary)], most, per_poll,
                "" if not problems else "; INCOMPLETE: " + " | ".join(problems[:3])), file=sys.stderr)
            failed = failed or bool(problems)
    print("| xtcp (median of %d rounds of %d polls, %d farm sockets) | most threads | CPU ms per poll | / baseline | every round |"
          % (rounds, POLLS, farm_sockets))
    print("|---|---|---|---|---|")
    base = statistics.median(cpu[binaries[-1]])
    for binary in binaries:
        median = statistics.median(cpu[binary])
        print("| %s (%s) | %d | %.0f | %.3f | %s |" % (names[binaries.index(binary)], binary, max(threads[binary]), median,
                                                    median / base, ", ".join("%.0f" % v for v in cpu[binary])))
    if max(threads[binaries[0]]) > 8:
        print("the binary under test ran more than 8 threads", file=sys.stderr)
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
