#!/usr/bin/env python3
"""A TCP socket farm for decoder tests, run inside a network namespace.

Opens, on 127.0.0.1 and ::1: listeners, established pairs with bbr, cubic and
reno, pairs whose receiver has unread data (non-empty Recv-Q), and pairs the
client half-closed (server CLOSE-WAIT, client FIN-WAIT-2). Prints "ready"
and holds everything until stdin closes.

usage: socket_farm.py PAIRS_PER_KIND
"""
import sys

import farmlib


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    keep = []
    for host in ("127.0.0.1", "::1"):
        lst = farmlib.listener(host)
        keep.append(lst)
        for cong in ("bbr", "cubic", "reno"):
            for i in range(n):
                c, s = farmlib.pair(lst, congestion=cong)
                c.sendall(b"x" * (100 * (i + 1)))
                s.recv(1 << 16)
                s.sendall(b"y" * 10)
                c.recv(1 << 16)
                keep += [c, s]
        for i in range(n):  # unread data: Recv-Q > 0 on the server side
            c, s = farmlib.pair(lst, congestion="cubic")
            c.sendall(b"z" * (1000 + i))
            keep += [c, s]
        half = [farmlib.pair(lst, congestion="cubic") for _ in range(n)]
        farmlib.half_close([c for c, _ in half])  # server CLOSE-WAIT, client FIN-WAIT-2
        keep += [end for pair in half for end in pair]
    farmlib.hold()


if __name__ == "__main__":
    main()
