#!/usr/bin/env python3
"""Reads the p90 files PollBenchmarks wrote (package-benchmark's
metricP90AbsoluteThresholds format) and its per-poll samples and prints each benchmark's figures per
poll and per socket, and its ratios to Poll_floor from the same run; checks
the goals of a poll into Kafka. Exit 1 when a goal is missed.

usage: poll_benchmark_report.py DIR [BASE]

With BASE (the many-namespace run), ratios are to BASE, the syscall path,
and the io_uring goals are checked instead: CPU <= 1.05 x, peak RSS <= 1.10 x,
threads <= 8.
"""
import glob
import json
import os
import statistics
import sys

GOALS = {"cpu": 1.5, "wall": 1.3, "rss_mb": 48}


def main():
    runs = {}
    for path in glob.glob(os.path.join(sys.argv[1], "*.p90.json")):
        name = os.path.basename(path).split(".")[1]
        with open(path) as f:
            runs[name] = json.load(f)
    mallocs = {n[:-len("_mallocs")]: r["mallocCountTotal"] for n, r in runs.items() if n.endswith("_mallocs")}
    runs = {n: r for n, r in runs.items() if not n.endswith("_mallocs")}
    # CPU and wall: medians of every poll (PollSamples), robust to the odd
    # noisy iteration of a shared machine; RSS, threads, mallocs: p90s.
    for name, r in runs.items():
        with open(os.path.join(sys.argv[1], name + ".samples.json")) as f:
            samples = json.load(f)
        r["cpuUser"], r["cpuSystem"], r["wallClock"] = (statistics.median(samples[k]) for k in ("cpuUser", "cpuSystem", "wall"))
        r["cpuTotal"] = statistics.median(u + s for u, s in zip(samples["cpuUser"], samples["cpuSystem"]))
        r["polls"] = len(samples["wall"])
    base = sys.argv[2] if len(sys.argv) > 2 else "Poll_floor"
    floor = runs[base]
    print("| benchmark (median of N polls; RSS, threads, mallocs: p90) | N | sockets | CPU user ms | CPU sys ms | CPU ns/socket | wall ms | wall ns/socket "
          "| CPU / base | wall / base | peak RSS MB | threads | mallocs/poll (-1: not measured) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    missed = []
    for name in sorted(runs, key=lambda n: (n != base, n)):
        r = runs[name]
        sockets = r["sockets per poll"]
        cpu_ratio = r["cpuTotal"] / floor["cpuTotal"]
        wall_ratio = r["wallClock"] / floor["wallClock"]
        rss_mb = r["peakMemoryResident"] / 1e6
        print("| %s | %d | %d | %.1f | %.1f | %.0f | %.1f | %.0f | %.2f | %.2f | %.1f | %d | %d |" % (
            name, r["polls"], sockets, r["cpuUser"] / 1e6, r["cpuSystem"] / 1e6, r["cpuTotal"] / sockets,
            r["wallClock"] / 1e6, r["wallClock"] / sockets, cpu_ratio, wall_ratio, rss_mb,
            r["threads"], mallocs.get(name, -1)))
        if base != "Poll_floor":
            if name.startswith("Poll_uring"):
                if cpu_ratio > 1.05:
                    missed.append("%s: CPU %.2f x the syscall path's (goal 1.05)" % (name, cpu_ratio))
                if r["peakMemoryResident"] > 1.10 * floor["peakMemoryResident"]:
                    missed.append("%s: peak RSS %.2f x the syscall path's (goal 1.10)" % (name, r["peakMemoryResident"] / floor["peakMemoryResident"]))
                if r["threads"] > 8:
                    missed.append("%s: %d threads (goal 8)" % (name, r["threads"]))
        elif name.startswith("Poll_kafka"):
            if cpu_ratio > GOALS["cpu"]:
                missed.append("%s: CPU %.2f x the floor (goal %.1f)" % (name, cpu_ratio, GOALS["cpu"]))
            if wall_ratio > GOALS["wall"]:
                missed.append("%s: wall %.2f x the floor (goal %.1f)" % (name, wall_ratio, GOALS["wall"]))
            if rss_mb > GOALS["rss_mb"]:
                missed.append("%s: peak RSS %.1f MB (goal %d)" % (name, rss_mb, GOALS["rss_mb"]))
    print()
    # A -filter keeping ~1 %: the kernel's CPU (system time) with and without it.
    for plain, filtered in (("Poll_floor", "Poll_floor_filter1pct"), ("Poll_null_netlinkers4", "Poll_null_netlinkers4_filter1pct"),
                            ("Poll_null_netlinkers4", "Poll_null_netlinkers4_changesOnly"),
                            ("Poll_null_netlinkers4_ownersOff", "Poll_null_netlinkers4")):
        if plain in runs and filtered in runs:
            p, f = runs[plain], runs[filtered]
            print("%s decoded %d of %d sockets (%.2f %%): CPU sys %.1f ms against %.1f ms (%.3f x), CPU total %.1f against %.1f ms (%.3f x), wall %.3f x" % (
                filtered, f["sockets per poll"], p["sockets per poll"], 100.0 * f["sockets per poll"] / p["sockets per poll"],
                f["cpuSystem"] / 1e6, p["cpuSystem"] / 1e6, f["cpuSystem"] / p["cpuSystem"],
                f["cpuTotal"] / 1e6, p["cpuTotal"] / 1e6, f["cpuTotal"] / p["cpuTotal"], f["wallClock"] / p["wallClock"]))
    # Owners by cgroup (-resolveContainerId): CPU within 1.03 x of off, mallocs unchanged.
    on, off = runs.get("Poll_null_netlinkers4"), runs.get("Poll_null_netlinkers4_ownersOff")
    if on and off:
        ratio = on["cpuTotal"] / off["cpuTotal"]
        print("owners on against off: CPU %.3f x (goal 1.03)" % ratio)
        if ratio > 1.03:
            missed.append("Poll_null_netlinkers4: CPU %.3f x with owners than without (goal 1.03)" % ratio)
        m_on, m_off = mallocs.get("Poll_null_netlinkers4"), mallocs.get("Poll_null_netlinkers4_ownersOff")
        if m_on is not None and m_off is not None:
            print("owners on against off: mallocs per poll %d against %d" % (m_on, m_off))
            if m_on > m_off:
                missed.append("mallocs per poll %d with owners, %d without" % (m_on, m_off))
    for line in missed:
        print("goal missed: " + line)
    if not missed:
        print("every goal holds")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
