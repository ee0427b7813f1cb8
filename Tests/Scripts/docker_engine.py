#!/usr/bin/env python3
"""Plays Docker Engine 24's side of its API on a unix socket, for a test:
the one fake peer xtcp's tests use, because no Docker engine runs on these
machines. It answers from a recorded exchange (Tests/Fixtures/docker-engine:
a `GET /containers/json?all=1` body, and container events as `GET /events`
streams them), framed as the engine frames them: Go's net/http headers, a
chunked body, one chunk per event.

Prints "ready" once listening, "list" for each list served and "events" for
each event stream opened; then takes commands on stdin, one per line:
  send NAME    stream the recorded event NAME (its Action) to open streams
  close        end every open event stream (the engine restarting)
  mode MODE    answer lists with: ok (the recording), error (500 and
               Docker's error body), garbage (200 and a torn body), hang
               (never answer)
  quit
Each command's answer is "ok" once done.

usage: docker_engine.py SOCKET FIXTURES
"""
import json
import os
import socket
import sys
import threading

path, fixtures = sys.argv[1], sys.argv[2]
listing = open(os.path.join(fixtures, "containers.json"), "rb").read()
events = {}
for line in open(os.path.join(fixtures, "events.jsonl"), "rb"):
    events[json.loads(line)["Action"].split(":")[0]] = line

HEADERS = (b"Api-Version: 1.43\r\nDocker-Experimental: false\r\nOstype: linux\r\n"
           b"Server: Docker/24.0.7 (linux)\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\n")
streams, lock, mode = [], threading.Lock(), ["ok"]


def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


def serve(connection):
    request = b""
    while b"\r\n\r\n" not in request:
        data = connection.recv(4096)
        if not data:
            connection.close()
            return
        request += data
    target = request.split(b" ")[1].decode()
    if target.startswith("/events"):
        connection.sendall(b"HTTP/1.1 200 OK\r\n" + HEADERS + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        with lock:
            streams.append(connection)
        print("events", flush=True)
        return
    if target.startswith("/containers/json"):
        if mode[0] == "hang":
            return  # held open, never answered
        if mode[0] == "error":
            body = b'{"message":"Error response from daemon: a recorded failure"}\n'
            connection.sendall(b"HTTP/1.1 500 Internal Server Error\r\n" + HEADERS + b"Content-Type: application/json\r\n"
                               + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        elif mode[0] == "garbage":
            connection.sendall(b"HTTP/1.1 200 OK\r\n" + HEADERS + b"Content-Type: application/json\r\nContent-Length: 12\r\n\r\n"
                               + b'[{"Id":"4f9e')
        else:
            # Bodies over 2 KiB: net/http sends them chunked.
            connection.sendall(b"HTTP/1.1 200 OK\r\n" + HEADERS + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                               + chunk(listing[:2048]) + chunk(listing[2048:]) + b"0\r\n\r\n")
        print("list", flush=True)
    else:
        body = b'{"message":"page not found"}\n'
        connection.sendall(b"HTTP/1.1 404 Not Found\r\n" + HEADERS + b"Content-Type: application/json\r\n"
                           + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    connection.close()


def accept(listener):
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(16)
threading.Thread(target=accept, args=(listener,), daemon=True).start()
print("ready", flush=True)
for command in sys.stdin:
    words = command.split()
    if not words or words[0] == "quit":
        break
    if words[0] == "send":
        with lock:
            for stream in streams:
                stream.sendall(chunk(events[words[1]]))
    elif words[0] == "close":
        with lock:
            for stream in streams:
                stream.sendall(b"0\r\n\r\n")
                stream.close()
            streams.clear()
    elif words[0] == "mode":
        mode[0] = words[1]
    print("ok", flush=True)
os.unlink(path)
