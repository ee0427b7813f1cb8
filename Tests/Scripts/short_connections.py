#!/usr/bin/env python3
"""Short connections on demand, run inside a network namespace, for tests
of -closeEvents. Listens on 127.0.0.1:6000 and [::1]:6000 and prints
"ready". For each line "go COUNT" on stdin, makes COUNT connections one
after the other, alternating IPv4 and IPv6: connection i sends 100 + i
bytes, the server answers 1 + i % 7 bytes, the client closes, then the
server; prints "done" when all are closed. Holds the listeners until stdin
closes.

usage: short_connections.py
"""
import socket
import sys


def main():
    listeners = {}
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 6000))
        listener.listen(128)
        listeners[host] = listener
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] != ["go"]:
            continue
        for i in range(int(words[1])):
            host = "127.0.0.1" if i % 2 == 0 else "::1"
            client = socket.create_connection((host, 6000))
            server, _ = listeners[host].accept()
            client.sendall(b"c" * (100 + i))
            got = 0
            while got < 100 + i:
                got += len(server.recv(4096))
            server.sendall(b"s" * (1 + i % 7))
            got = 0
            while got < 1 + i % 7:
                got += len(client.recv(64))
            client.close()
            server.recv(1)  # the client's FIN
            server.close()
        print("done", flush=True)


if __name__ == "__main__":
    main()
