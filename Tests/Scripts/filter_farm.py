#!/usr/bin/env python3
"""Connections over varied addresses, ports and states, run inside a network
namespace, for tests of -filter and -states against `ss`. Adds fd00::1 and
fd00::2 to lo. On 127.0.0.1, 127.0.0.2, 127.1.2.3, ::1, fd00::1 and fd00::2:
listeners on ports 22, 80, 443, 8080 and 40000, each with two clients, one
from another address of its family and one bound to a low port (1000 up).
The port-80 connections are half closed (FIN-WAIT-2 / CLOSE-WAIT), the
port-8080 ones closed by both ends, client first (TIME-WAIT). A dual-stack
listener on [::]:9000 holds IPv4 clients as IPv4-mapped IPv6 sockets.
Prints "ready" and holds everything until stdin closes.
"""
import socket
import subprocess

import farmlib

V4 = ["127.0.0.1", "127.0.0.2", "127.1.2.3"]
V6 = ["::1", "fd00::1", "fd00::2"]
PORTS = (22, 80, 443, 8080, 40000)


def main():
    for address in ("fd00::1", "fd00::2"):
        subprocess.run(["ip", "addr", "add", address + "/128", "dev", "lo", "nodad"], check=True)
    keep = []
    low_port = 1000
    listeners = []
    for hosts, family in ((V4, socket.AF_INET), (V6, socket.AF_INET6)):
        for index, host in enumerate(hosts):
            for port in PORTS:
                lst = farmlib.listener(host, port, backlog=64)
                keep.append(lst)
                listeners.append((family, host, hosts[(index + 1) % len(hosts)], port, lst))
    for family, host, other, port, lst in listeners:
        for bind in ((other, 0), (host, low_port)):
            client, server = farmlib.pair(lst, bind=bind)
            low_port += 1 if bind[1] else 0
            if port == 80:
                farmlib.half_close([client])
            if port == 8080:
                client.close()
                server.recv(1)
                server.close()
                continue
            keep += [client, server]
    dual = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    dual.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    dual.bind(("::", 9000))
    dual.listen(64)
    keep.append(dual)
    for host in V4:
        client = socket.create_connection((host, 9000))
        server, _ = dual.accept()
        keep += [client, server]
    farmlib.hold(len(keep))


if __name__ == "__main__":
    main()
