#!/usr/bin/env python3
"""CONNECTIONS loopback TCP connections to one listener on HOST:PORT, both
ends held by this process (2 sockets each), for benchmarks. A process may
hold at most 20,000 files here, so large farms are several of these.
Prints "ready N" (sockets) and holds everything until stdin closes.

usage: loopback_farm.py CONNECTIONS HOST PORT
"""
import sys

import farmlib


def main():
    count, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    farmlib.raise_file_limit()
    lst = farmlib.listener(host, port, backlog=4096)
    keep = farmlib.many_pairs(lst, host, port, count)
    farmlib.hold(len(keep))


if __name__ == "__main__":
    main()
