#!/usr/bin/env python3
"""Connections over a spread of ports, run inside a network namespace, for
tests of port-based dump sharding. On 127.0.0.1 and ::1: listeners on low
and high ports; to each, PER_LISTENER clients from ephemeral ports and
PER_LISTENER clients bound to low ports. Prints "ready" and holds
everything until stdin closes.

usage: port_farm.py PER_LISTENER
"""
import socket
import sys

LISTEN_PORTS = (80, 443, 5000, 20000, 32767, 32768, 40000, 50000, 65000, 65535)


def main():
    per = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    keep = []
    low_client_port = 1000
    families = ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
    # Every listener first: a client's ephemeral port could otherwise take
    # a listener's port (40000, 50000, ...) before it is bound.
    listeners = []
    for family, host in families:
        for port in LISTEN_PORTS:
            lst = socket.socket(family, socket.SOCK_STREAM)
            lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lst.bind((host, port))
            lst.listen(1024)
            keep.append(lst)
            listeners.append((family, host, port, lst))
    for family, host, port, lst in listeners:
        for i in range(2 * per):
            c = socket.socket(family, socket.SOCK_STREAM)
            if i % 2:  # a client on a low port: placed by its peer's port
                c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                c.bind((host, low_client_port))
                low_client_port += 1
            c.connect((host, port))
            s, _ = lst.accept()
            keep += [c, s]
    print("ready", len(keep), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
