#!/usr/bin/env python3
"""An independent NATS client (nats-py) for xtcp's nats: destination. Each
message is one protobufList frame, so OUT reads as a stream of them.

  nats_reader.py subscribe PORT SUBJECT OUT
      subscribes, prints "subscribed", appends every message until stdin
      closes, then prints the count
  nats_reader.py create PORT STREAM SUBJECT
      makes a JetStream stream (file storage) taking SUBJECT
  nats_reader.py read PORT STREAM OUT
      every message of the stream, in order, into OUT; prints the count
  nats_reader.py count PORT STREAM
      the stream's message count (-1 when the server does not answer)
"""
import asyncio
import sys

import nats

mode, url = sys.argv[1], "nats://127.0.0.1:%s" % sys.argv[2]


async def subscribe(subject, out):
    nc = await nats.connect(url)
    received = []

    async def keep(msg):
        received.append(msg.data)

    await nc.subscribe(subject, cb=keep, pending_bytes_limit=1 << 30)
    await nc.flush()
    print("subscribed", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await nc.flush()
    await asyncio.sleep(0.3)
    with open(out, "wb") as f:
        for data in received:
            f.write(data)
    print(len(received), flush=True)
    await nc.close()


async def create(stream, subject):
    nc = await nats.connect(url)
    await nc.jetstream().add_stream(name=stream, subjects=[subject], storage="file")
    await nc.close()


async def read(stream, out):
    nc = await nats.connect(url)
    js = nc.jetstream()
    info = await js.stream_info(stream)
    count = 0
    with open(out, "wb") as f:
        for sequence in range(info.state.first_seq, info.state.last_seq + 1):
            if info.state.messages == 0:
                break
            message = await js.get_msg(stream, sequence)
            f.write(message.data)
            count += 1
    print(count, flush=True)
    await nc.close()


async def count(stream):
    try:
        nc = await nats.connect(url, connect_timeout=0.5, allow_reconnect=False, max_reconnect_attempts=0)
    except Exception:
        print(-1)
        return
    info = await nc.jetstream().stream_info(stream)
    print(info.state.messages)
    await nc.close()


if mode == "subscribe":
    asyncio.run(subscribe(sys.argv[3], sys.argv[4]))
elif mode == "create":
    asyncio.run(create(sys.argv[3], sys.argv[4]))
elif mode == "read":
    asyncio.run(read(sys.argv[3], sys.argv[4]))
else:
    asyncio.run(count(sys.argv[3]))
