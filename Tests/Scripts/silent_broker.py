#!/usr/bin/env python3
"""A TCP listener on 127.0.0.1 that accepts connections and never answers:
a broker that is not Kafka, or one hung. Prints "ready"; answers the line
"port" with its port; ends when stdin closes.

usage: silent_broker.py
"""
import select
import socket
import sys

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print("ready", flush=True)
held = []
while True:
    readable, _, _ = select.select([listener, sys.stdin], [], [])
    if listener in readable:
        held.append(listener.accept()[0])
    if sys.stdin in readable:
        line = sys.stdin.readline()
        if not line:
            break
        print(listener.getsockname()[1], flush=True)
