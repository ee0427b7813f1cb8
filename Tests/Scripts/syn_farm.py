#!/usr/bin/env python3
"""Connections stuck in SYN-SENT, retransmitting their SYN, run inside a
network namespace: routes 10.9.0.0/24 through lo, where nothing has those
addresses (the SYNs are dropped on arrival), and starts COUNT non-blocking
connects to each ADDRESS. Prints "ready" and holds them until stdin closes.

usage: syn_farm.py ADDRESS:COUNT...
"""
import socket
import subprocess
import sys

import farmlib


def main():
    subprocess.run(["ip", "route", "add", "10.9.0.0/24", "dev", "lo"], check=True)
    keep = []
    for spec in sys.argv[1:]:
        address, count = spec.split(":")
        for _ in range(int(count)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((address, 80))
            except BlockingIOError:
                pass
            keep.append(s)
    farmlib.hold(len(keep))


if __name__ == "__main__":
    main()
