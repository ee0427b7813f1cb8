#!/usr/bin/env python3
"""What a careless or hostile client does to an HTTP listener, for its
tests: IDLE connections that connect and say nothing, and SLOW ones that
send a request one byte every PAUSE seconds. Prints "ready" once every
connection is open, then, as each slow one is closed by the server, a
line "slow closed after SECONDS: STATUS LINE". Holds the idle ones until
stdin closes.

usage: http_abuse.py HOST PORT IDLE SLOW PAUSE
"""
import socket
import sys
import threading
import time


def slow(host, port, pause):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    s = socket.create_connection((host, port))
    start = time.monotonic()
    answer = b""
    for byte in request:
        try:
            s.sendall(bytes([byte]))
        except OSError:
            break
        s.settimeout(pause)
        try:
            chunk = s.recv(4096)
            answer += chunk
            if not chunk:
                break
        except socket.timeout:
            continue
        except OSError:
            break
    s.settimeout(5)
    try:
        while chunk := s.recv(4096):
            answer += chunk
    except OSError:
        pass
    line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    print("slow closed after %.1f: %s" % (time.monotonic() - start, line), flush=True)


def main():
    host, port, idle, slows, pause = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    held = [socket.create_connection((host, port)) for _ in range(idle)]
    threads = [threading.Thread(target=slow, args=(host, port, pause), daemon=True) for _ in range(slows)]
    for t in threads:
        t.start()
    print("ready", len(held) + slows, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
