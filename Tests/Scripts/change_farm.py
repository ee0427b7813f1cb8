#!/usr/bin/env python3
"""Idle loopback connections for -changesOnly tests, run inside a network
namespace: PAIRS connections to a listener on 127.0.0.1:5000 and PAIRS to
one on [::1]:5000. Prints "ready", then for each line "send FIRST COUNT" on
stdin sends 1000 bytes over connections FIRST..FIRST+COUNT-1 (IPv4 ones
first), reads them at the other end, waits until every byte is
acknowledged, and prints "sent" and the two ends' keys (LOCAL|PEER, as
TestSupport's SocketKey writes them). Holds everything until stdin closes.

usage: change_farm.py PAIRS
"""
import socket
import struct
import sys
import time

import farmlib


def key(sock):
    local, peer = sock.getsockname(), sock.getpeername()
    return "%s:%d|%s:%d" % (local[0], local[1], peer[0], peer[1])


def unacked(sock):
    # struct tcp_info: 8 one-byte fields, then u32s: rto, ato, snd_mss, rcv_mss, unacked.
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, 8 + 4 * 4)[0]


def main():
    pairs = int(sys.argv[1])
    connections = []
    listeners = []
    for host in ("127.0.0.1", "::1"):
        lst = farmlib.listener(host, 5000)
        listeners.append(lst)
        connections += [farmlib.pair(lst) for _ in range(pairs)]
    farmlib.ready()

    def send(first, count):
        first, count = int(first), int(count)
        keys = []
        for client, server in connections[first:first + count]:
            client.sendall(b"x" * 1000)
            got = 0
            while got < 1000:
                got += len(server.recv(1000 - got))
            while unacked(client):
                time.sleep(0.001)
            keys += [key(client), key(server)]
        print("sent", " ".join(keys), flush=True)

    farmlib.serve({"send": send})


if __name__ == "__main__":
    main()
