#!/usr/bin/env python3
"""A collector for xtcp's stream and datagram destinations: listens on
127.0.0.1:PORT (tcp) or a unix socket PATH (unix), and writes what each
connection sends to PREFIX.N (N counting connections from 1), so that a
connection cut mid-batch leaves its torn end in its own file; or binds a
unix datagram socket PATH (unixgram) and writes the datagrams one after
another to PREFIX.N (N counting binds). Prints "ready PORT" once
listening and "connected N" for each connection; takes commands on stdin:
  down   close the listener and every connection (the collector gone)
  up     listen again at the same address
  quit
Each command's answer is "ok".

usage: stream_collector.py tcp PORT PREFIX | stream_collector.py unix|unixgram PATH PREFIX
"""
import os
import socket
import sys
import threading

kind, where, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
state = {"listener": None, "connections": [], "count": 0}
printing = threading.Lock()


def say(line):
    # One write per line under a lock: print() writes the text and its
    # newline apart, and the accept thread's "connected N" could land
    # inside the main thread's "ok".
    with printing:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def receive_datagrams(listener, number):
    """unixgram: the datagrams one after another into PREFIX.N (each is one
    protobufList frame, so the file reads as a stream of them)."""
    with open("%s.%d" % (prefix, number), "wb") as out:
        while True:
            try:
                data = listener.recv(1 << 17)
            except OSError:
                return
            if not data:  # shut down ("down"); xtcp sends no empty datagram
                return
            out.write(data)
            out.flush()


def listen():
    if kind == "unixgram":
        if os.path.exists(where):
            os.unlink(where)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        listener.bind(where)
        state["listener"] = listener
        with lock:
            state["count"] += 1
            number = state["count"]
        threading.Thread(target=receive_datagrams, args=(listener, number), daemon=True).start()
        say("connected %d" % number)
        return listener
    if kind == "tcp":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Port 0 the first time: the port it chose is kept, so that "up"
        # listens where xtcp reconnects.
        listener.bind(("127.0.0.1", state.get("port", int(where))))
        state["port"] = listener.getsockname()[1]
    else:
        if os.path.exists(where):
            os.unlink(where)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(where)
    listener.listen(16)
    state["listener"] = listener
    threading.Thread(target=accept, args=(listener,), daemon=True).start()
    return listener


def accept(listener):
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with lock:
            state["count"] += 1
            number = state["count"]
            state["connections"].append(connection)
        say("connected %d" % number)
        threading.Thread(target=receive, args=(connection, number), daemon=True).start()


def receive(connection, number):
    with open("%s.%d" % (prefix, number), "wb") as out:
        while True:
            try:
                data = connection.recv(1 << 20)
            except OSError:
                return
            if not data:
                return
            out.write(data)
            out.flush()


listener = listen()
say("ready %d" % (listener.getsockname()[1] if kind == "tcp" else 0))
for command in sys.stdin:
    word = command.strip()
    if word in ("", "quit"):
        break
    if word == "down":
        with lock:
            # shutdown wakes the thread blocked in accept(); close alone
            # would leave the socket listening until that accept returned.
            try:
                state["listener"].shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            state["listener"].close()
            if kind == "unixgram":
                os.unlink(where)  # no socket at the path: xtcp's sends fail
            for connection in state["connections"]:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            state["connections"].clear()
    elif word == "up":
        listen()
    say("ok")
