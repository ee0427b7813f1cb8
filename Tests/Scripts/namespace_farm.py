#!/usr/bin/env python3
"""Namespaces FIRST..FIRST+COUNT-1 named PREFIX-N (`ip netns add`), each with
a listener and CONNECTIONS loopback connections (2 sockets each), all held
by this one process: it enters each namespace (setns) to open the sockets
there, then returns to its own. Prints "ready N" (sockets) and holds them
until stdin closes, then deletes its namespaces.

usage: namespace_farm.py PREFIX FIRST COUNT CONNECTIONS
"""
import ctypes
import os
import resource
import signal
import socket
import subprocess
import sys

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def main():
    # SIGTERM (a benchmark script's cleanup) still deletes the namespaces.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    prefix, first, count, connections = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
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
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", 7000))
            listener.listen(1024)
            keep.append(listener)
            for _ in range(connections):
                c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                c.connect(("127.0.0.1", 7000))
                s, _ = listener.accept()
                keep += [c, s]
            setns(home)
        print("ready", len(keep), flush=True)
        sys.stdin.read()
    finally:
        setns(home)
        for s in keep:
            s.close()
        for name in names:
            subprocess.run(["ip", "netns", "del", name])


if __name__ == "__main__":
    main()
