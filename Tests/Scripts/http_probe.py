#!/usr/bin/env python3
"""One HTTP request, as a test sends it from inside a namespace.

    http_probe.py HOST PORT get PATH     -> status code, a newline, the body
    http_probe.py HOST PORT raw BYTES    -> the response's first line (BYTES with \\r\\n escapes)
    http_probe.py HOST PORT save PATH FILE -> status code; the body goes to FILE (binary; waits up to 60 s)
    http_probe.py HOST PORT leave PATH SECONDS -> asks for PATH, then closes the connection after SECONDS unanswered
Prints `refused: ERROR` when the connection fails.
"""
import socket
import sys
import time

host, port, mode, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
request = (f"GET {what} HTTP/1.1\r\nHost: {host}\r\n\r\n" if mode in ("get", "save", "leave")
           else what.encode().decode("unicode_escape")).encode()
if mode == "leave":
    with socket.create_connection((host, port)) as connection:
        connection.sendall(request)
        time.sleep(float(sys.argv[5]))
    print("left")
    sys.exit(0)
try:
    with socket.create_connection((host, port), timeout=60 if mode == "save" else 5) as connection:
        connection.sendall(request)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
except OSError as error:
    print(f"refused: {error}")
    sys.exit(0)
head, _, body = response.partition(b"\r\n\r\n")
status_line = head.split(b"\r\n", 1)[0].decode()
if mode == "save":
    print(status_line.split(" ")[1])
    with open(sys.argv[5], "wb") as file:
        file.write(body)
elif mode == "get":
    print(status_line.split(" ")[1])
    sys.stdout.write(body.decode())
else:
    print(status_line)
