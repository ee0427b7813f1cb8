#!/usr/bin/env python3
"""Connections to be closed all at once, for measuring how many closes a
second -closeEvents absorbs (scripts/close-rate.sh). Opens CONNECTIONS
loopback connections to its own listener on HOST:PORT, prints "ready", and
on "go" on stdin closes every socket (both ends, with SO_LINGER 0: a reset,
so each is destroyed when its descriptor closes), then prints
"closed START END" (wall-clock seconds) and waits for stdin to close.

usage: close_farm.py CONNECTIONS HOST PORT
"""
import os
import socket
import struct
import sys
import time

import farmlib


def main():
    count, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    lst = farmlib.listener(host, port, backlog=4096)
    linger = struct.pack("ii", 1, 0)
    ends = []
    for _ in range(count):
        client, server = farmlib.pair(lst)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        ends += [client.detach(), server.detach()]
    farmlib.ready()
    sys.stdin.readline()
    start = time.time()
    for fd in ends:
        os.close(fd)
    end = time.time()
    print("closed %.6f %.6f" % (start, end), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
