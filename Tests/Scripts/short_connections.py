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
import farmlib


def main():
    listeners = {host: farmlib.listener(host, 6000, backlog=128) for host in ("127.0.0.1", "::1")}
    farmlib.ready()

    def go(count):
        for i in range(int(count)):
            host = "127.0.0.1" if i % 2 == 0 else "::1"
            client, server = farmlib.pair(listeners[host])
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

    farmlib.serve({"go": go})


if __name__ == "__main__":
    main()
