#!/usr/bin/env python3
"""Namespaces FIRST..FIRST+COUNT-1 named PREFIX-N (`ip netns add`), each with
a listener and CONNECTIONS loopback connections (2 sockets each), all held
by this one process: it enters each namespace (setns) to open the sockets
there, then returns to its own. Prints "ready N" (sockets) and holds them
until stdin closes, then deletes its namespaces.

usage: namespace_farm.py PREFIX FIRST COUNT CONNECTIONS
"""
import os
import signal
import subprocess
import sys

import farmlib
from farmlib import setns


def main():
    # SIGTERM (a benchmark script's cleanup) still deletes the namespaces.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    prefix, first, count, connections = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    farmlib.raise_file_limit()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    names = ["%s-%d" % (prefix, n) for n in range(first, first + count)]
    keep = []
    try:
        for name in names:
            subprocess.run(["ip", "netns", "add", name], check=True)
            subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
            fd = os.open("/run/netns/" + name, os.O_RDONLY)
            setns(fd)
            os.close(fd)
            listener = farmlib.listener("127.0.0.1", 7000, reuse=False)
            keep.append(listener)
            for _ in range(connections):
                keep += farmlib.pair(listener)
            setns(home)
        farmlib.hold(len(keep))
    finally:
        setns(home)
        for s in keep:
            s.close()
        for name in names:
            subprocess.run(["ip", "netns", "del", name])


if __name__ == "__main__":
    main()
