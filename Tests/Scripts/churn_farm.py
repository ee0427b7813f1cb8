#!/usr/bin/env python3
"""CONNECTIONS loopback TCP connections (2 sockets each) to a listener on
127.0.0.1:PORT, churned: every second a random PERCENT of them are closed
and as many new ones opened, so the socket table keeps changing while its
size stays put. Prints "ready N" once the first set is open, and one line
"churned OPENED CLOSED" (totals) when stdin closes, then exits.

usage: churn_farm.py CONNECTIONS PORT PERCENT
"""
import random
import select
import socket
import sys

import farmlib


def main():
    count, port, percent = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    farmlib.raise_file_limit()
    listener = farmlib.listener("127.0.0.1", port, backlog=4096)
    listener.setblocking(False)
    pairs = []

    def open_pairs(n):
        for _ in range(n):
            client = socket.create_connection(("127.0.0.1", port))
            while True:
                try:
                    server, _ = listener.accept()
                    break
                except BlockingIOError:
                    select.select([listener], [], [], 1)
            pairs.append((client, server))

    open_pairs(count)
    farmlib.ready(2 * count + 1)
    opened = closed = 0
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], 1.0)
        if readable and not sys.stdin.readline():
            break
        n = max(1, int(len(pairs) * percent / 100))
        random.shuffle(pairs)
        for client, server in pairs[:n]:
            client.close()
            server.close()
        del pairs[:n]
        closed += n
        open_pairs(n)
        opened += n
    print("churned %d %d" % (opened, closed), flush=True)


if __name__ == "__main__":
    main()
