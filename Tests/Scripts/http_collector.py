#!/usr/bin/env python3
"""An HTTP/1.1 (or HTTPS) server for xtcp's http:// destination: Python's
http.server, a real HTTP/1.1 peer with keep-alive. Every POST body that it
answers 200 is appended to OUT (each is one protobufList frame, so OUT
reads as a stream of them). Prints "ready PORT"; takes commands on stdin,
each answered "ok":
  down      stop listening and close every connection
  up        listen again at the same port
  fail N    answer the next N POSTs 503 (their bodies are not kept)
  count     print "count N CONTENT-TYPE" (the bodies kept, the last type)
  quit

usage: http_collector.py http|https OUT [CERT KEY]
"""
import http.server
import socket
import ssl
import sys
import threading

kind, out = sys.argv[1], sys.argv[2]
lock = threading.Lock()
state = {"server": None, "port": 0, "fail": 0, "count": 0, "type": "", "connections": set()}
printing = threading.Lock()


def say(line):
    with printing:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with lock:
            state["connections"].add(self.connection)

    def finish(self):
        with lock:
            state["connections"].discard(self.connection)
        super().finish()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            failing = state["fail"] > 0
            if failing:
                state["fail"] -= 1
            else:
                with open(out, "ab") as f:
                    f.write(body)
                state["count"] += 1
                state["type"] = self.headers.get("Content-Type", "")
        status, reply = (503, b"busy\n") if failing else (200, b"ok\n")
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def listen():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", state["port"]), Handler)
    server.daemon_threads = True
    if kind == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    state["port"] = server.server_address[1]
    state["server"] = server
    threading.Thread(target=server.serve_forever, daemon=True).start()


listen()
say("ready %d" % state["port"])
for command in sys.stdin:
    words = command.split()
    if not words or words[0] == "quit":
        break
    if words[0] == "down":
        server = state["server"]
        server.shutdown()
        server.server_close()
        with lock:
            for connection in list(state["connections"]):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
    elif words[0] == "up":
        listen()
    elif words[0] == "fail":
        with lock:
            state["fail"] = int(words[1])
    elif words[0] == "count":
        with lock:
            say("count %d %s" % (state["count"], state["type"]))
    say("ok")
