#!/usr/bin/env python3
"""Reads what xtcp wrote as csv, tsv or msgpack with Python's own readers
(the csv module, msgpack) and compares every value with jsonl's of the
same records. Prints one JSON object: the rows read, the header, and the
first mismatches.

usage: formats_check.py FORMAT OUTPUT JSONL
"""
import csv
import datetime
import json
import sys

STATES = ["UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
          "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"]
CA_STATES = ["Open", "Disorder", "CWR", "Recovery", "Loss"]


def humanised(name, value):
    """What csv and tsv print for a jsonl value."""
    if name in ("inet_diag_msg_state", "tcp_info_state") and value < len(STATES):
        return STATES[value]
    if name == "tcp_info_ca_state" and value < len(CA_STATES):
        return CA_STATES[value]
    if name == "timestamp_ns":
        seconds, nanoseconds = divmod(value, 1_000_000_000)
        moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % nanoseconds
    return str(value)


fmt, output, jsonl = sys.argv[1], sys.argv[2], sys.argv[3]
expected = [json.loads(line) for line in open(jsonl)]
mismatches, header = [], None
if fmt in ("csv", "tsv"):
    with open(output, newline="") as f:
        reader = csv.reader(f, delimiter="," if fmt == "csv" else "\t")
        header = next(reader)
        rows = list(reader)
    for number, (row, record) in enumerate(zip(rows, expected)):
        for name, text in zip(header, row):
            if humanised(name, record[name]) != text:
                mismatches.append([number, name, text, humanised(name, record[name])])
else:
    import msgpack
    with open(output, "rb") as f:
        rows = list(msgpack.Unpacker(f, raw=False))
    for number, (row, record) in enumerate(zip(rows, expected)):
        if row != record:
            different = [k for k in record if row.get(k) != record[k]] + [k for k in row if k not in record]
            mismatches.append([number, different[:5]])
print(json.dumps({"rows": len(rows), "expected": len(expected), "header": header, "mismatches": json.dumps(mismatches[:10]),
                  "mismatchCount": len(mismatches)}))
