#!/usr/bin/env python3
"""N loopback connections over IPv4 and N over IPv6 to listeners on port
7000, in the namespace it runs in: 2 + 4N sockets, so that namespaces of a
test each have a socket count of their own. Prints "ready" and holds
everything until stdin closes.

usage: small_farm.py N
"""
import sys

import farmlib


def main():
    n = int(sys.argv[1])
    keep = []
    for host in ("127.0.0.1", "::1"):
        lst = farmlib.listener(host, 7000, backlog=128, reuse=False)
        keep.append(lst)
        for _ in range(n):
            keep += farmlib.pair(lst)
    farmlib.hold(len(keep))


if __name__ == "__main__":
    main()
