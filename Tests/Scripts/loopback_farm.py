#!/usr/bin/env python3
"""CONNECTIONS loopback TCP connections to one listener on HOST:PORT, both
ends held by this process (2 sockets each), for benchmarks. A process may
hold at most 20,000 files here, so large farms are several of these.
Prints "ready N" (sockets) and holds everything until stdin closes.

usage: loopback_farm.py CONNECTIONS HOST PORT
"""
import resource
import socket
import sys


def main():
    count, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(4096)
    keep = [listener]
    batch = 1000
    for start in range(0, count, batch):
        clients = []
        for _ in range(min(batch, count - start)):
            c = socket.socket(family, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect((host, port))
            except BlockingIOError:
                pass
            clients.append(c)
        for _ in clients:
            s, _ = listener.accept()
            keep.append(s)
        keep += clients
    print("ready", len(keep) - 1, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
