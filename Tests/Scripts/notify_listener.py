#!/usr/bin/env python3
"""Plays systemd's side of sd_notify(3) for a test: binds an AF_UNIX
datagram socket at PATH (a leading "@" for an abstract name), prints
"ready", then each datagram received as one line (newlines as " | "),
until one holds STOPPING=1 or TIMEOUT seconds pass.

usage: notify_listener.py PATH [TIMEOUT]
"""
import socket
import sys

path = sys.argv[1]
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 30
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind("\0" + path[1:] if path.startswith("@") else path)
listener.settimeout(timeout)
print("ready", flush=True)
try:
    while True:
        message = listener.recv(4096).decode()
        print(message.replace("\n", " | "), flush=True)
        if "STOPPING=1" in message.split("\n"):
            break
except socket.timeout:
    print("timeout", flush=True)
