#!/usr/bin/env python3
"""Produces COUNT messages to TOPIC with an independent Kafka client
(confluent-kafka), then consumes the topic from the beginning, and prints
`delivered D failed F consumed C`. A message that cannot be delivered
within TIMEOUT_MS counts as failed.

usage: kafka_roundtrip.py BOOTSTRAP TOPIC COUNT TIMEOUT_MS
"""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def main():
    bootstrap, topic, count, timeout_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    results = {"delivered": 0, "failed": 0}

    def report(err, _msg):
        results["failed" if err else "delivered"] += 1

    producer = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": timeout_ms, "log_level": 3})
    for i in range(count):
        producer.produce(topic, value=b"m%d" % i, on_delivery=report)
    producer.flush(timeout_ms / 1000 + 5)

    consumed = 0
    if results["delivered"]:
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "roundtrip", "log_level": 3,
                             "enable.auto.commit": False})
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        idle = 0
        while idle < 20 and consumed < results["delivered"]:
            msg = consumer.poll(0.25)
            if msg is None or msg.error():
                idle += 1
                continue
            consumed += 1
        consumer.close()
    print("delivered %d failed %d consumed %d" % (results["delivered"], results["failed"], consumed))


if __name__ == "__main__":
    main()
