#!/usr/bin/env python3
"""Consumes every message of TOPIC from the beginning with an independent
Kafka client (confluent-kafka) and appends each message's value to OUT:
xtcp's messages are protobufList frames, so OUT becomes one protobufList
stream. A message whose bytes equal an earlier one's (a retried batch the
broker stored twice) is counted but written once. Stops once EXPECTED
distinct messages have come and none more arrive for 2 s (so a duplicate
would still be caught), or after 20 s without any message. Prints
`consumed N distinct D`.

usage: kafka_consume.py BOOTSTRAP TOPIC OUT EXPECTED
"""
import hashlib
import sys
import time

from confluent_kafka import Consumer, TopicPartition


def main():
    bootstrap, topic, out, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "xtcp-test", "log_level": 3,
                         "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    consumed = 0
    seen = set()
    last = time.monotonic()
    with open(out, "wb") as f:
        while True:
            msg = consumer.poll(0.1)
            now = time.monotonic()
            if msg is not None and not msg.error():
                digest = hashlib.sha256(msg.value()).digest()
                if digest not in seen:
                    seen.add(digest)
                    f.write(msg.value())
                consumed += 1
                last = now
            elif now - last > (2 if len(seen) >= expected else 20):
                break
    consumer.close()
    print("consumed %d distinct %d" % (consumed, len(seen)))


if __name__ == "__main__":
    main()
