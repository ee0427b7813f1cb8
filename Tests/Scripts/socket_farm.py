#!/usr/bin/env python3
"""A TCP socket farm for decoder tests, run inside a network namespace.

Opens, on 127.0.0.1 and ::1: listeners, established pairs with bbr, cubic and
reno, pairs whose receiver has unread data (non-empty Recv-Q), and pairs the
client half-closed (server CLOSE-WAIT, client FIN-WAIT-2). Prints "ready"
and holds everything until stdin closes.

usage: socket_farm.py PAIRS_PER_KIND
"""
import socket
import sys

TCP_CONGESTION = getattr(socket, "TCP_CONGESTION", 13)


def listener(family, host):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(1024)
    return s


def pair(lst, family, host, cong):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, cong.encode())
    c.connect((host, lst.getsockname()[1]))
    s, _ = lst.accept()
    s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, cong.encode())
    return c, s


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    keep = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        lst = listener(family, host)
        keep.append(lst)
        for cong in ("bbr", "cubic", "reno"):
            for i in range(n):
                c, s = pair(lst, family, host, cong)
                c.sendall(b"x" * (100 * (i + 1)))
                s.recv(1 << 16)
                s.sendall(b"y" * 10)
                c.recv(1 << 16)
                keep += [c, s]
        for i in range(n):  # unread data: Recv-Q > 0 on the server side
            c, s = pair(lst, family, host, "cubic")
            c.sendall(b"z" * (1000 + i))
            keep += [c, s]
        for i in range(n):  # client half-closes: server CLOSE-WAIT, client FIN-WAIT-2
            c, s = pair(lst, family, host, "cubic")
            c.shutdown(socket.SHUT_WR)
            keep += [c, s]
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
