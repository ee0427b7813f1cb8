#!/usr/bin/env python3
"""An independent Valkey/Redis client (redis-py) reading back what xtcp
wrote, into OUT: each message or stream entry is one protobufList frame,
so OUT reads as a stream of them.

  valkey_reader.py subscribe PORT CHANNEL OUT
      subscribes, prints "subscribed", and appends every message until its
      stdin closes; then prints the count.
  valkey_reader.py stream PORT KEY OUT
      XRANGE - + of the stream: every entry's "envelope" field; prints the count.
  valkey_reader.py xlen PORT KEY
      the stream's length (0 when the server does not answer).
"""
import sys
import threading

import redis

mode, port = sys.argv[1], int(sys.argv[2])
client = redis.Redis(host="127.0.0.1", port=port)
if mode == "subscribe":
    channel, out = sys.argv[3], sys.argv[4]
    pubsub = client.pubsub()
    pubsub.subscribe(channel)
    while pubsub.get_message(timeout=1.0) is None:  # the subscribe confirmation
        pass
    print("subscribed", flush=True)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    count = 0
    with open(out, "wb") as f:
        while not stop.is_set():
            message = pubsub.get_message(timeout=0.1)
            if message and message["type"] == "message":
                f.write(message["data"])
                count += 1
        while True:  # what arrived before the stop
            message = pubsub.get_message(timeout=0.2)
            if message is None:
                break
            if message["type"] == "message":
                f.write(message["data"])
                count += 1
    print(count, flush=True)
elif mode == "stream":
    key, out = sys.argv[3], sys.argv[4]
    entries = client.xrange(key, "-", "+")
    with open(out, "wb") as f:
        for _, fields in entries:
            f.write(fields[b"envelope"])
    print(len(entries), flush=True)
else:
    try:
        print(client.xlen(sys.argv[3]))
    except redis.exceptions.ConnectionError:
        print(0)
