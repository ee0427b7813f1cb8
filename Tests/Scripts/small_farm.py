#!/usr/bin/env python3
"""N loopback connections over IPv4 and N over IPv6 to listeners on port
7000, in the namespace it runs in: 2 + 4N sockets, so that namespaces of a
test each have a socket count of their own. Prints "ready" and holds
everything until stdin closes.

usage: small_farm.py N
"""
import socket
import sys


def main():
    n = int(sys.argv[1])
    keep = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((host, 7000))
        listener.listen(128)
        keep.append(listener)
        for _ in range(n):
            c = socket.socket(family, socket.SOCK_STREAM)
            c.connect((host, 7000))
            s, _ = listener.accept()
            keep += [c, s]
    print("ready", len(keep), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
