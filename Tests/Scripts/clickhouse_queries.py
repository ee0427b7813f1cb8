#!/usr/bin/env python3
"""Loads xtcp's envelopes into the ClickHouse table of docs/clickhouse.md
(chdb) and runs the document's queries. Prints JSON: rows loaded, rows per
record kind, the top retransmitting peers, RTT percentiles per namespace,
the dashboard queries' rows,
and whether the Kafka engine table and the materialized view were created.

usage: clickhouse_queries.py DOCUMENT SCHEMA.proto WORKDIR ENVELOPES.bin...

Each ENVELOPES file is xtcp's protobufList output: envelopes framed as
uvarint(length) + Envelope, one after another. ClickHouse's file() reads
one envelope per file (as its Kafka engine reads one per message), so each
is written to a file of its own in WORKDIR first.
"""
import glob
import json
import os
import re
import sys

from chdb import session


def envelopes(path):
    data = open(path, "rb").read()
    offset = 0
    while offset < len(data):
        start, length, shift = offset, 0, 0
        while True:
            byte = data[offset]
            offset += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        offset += length
        yield data[start:offset]


def statements(document):
    text = open(document).read()
    block = text.split("<!-- ddl:begin")[1].split("<!-- ddl:end -->")[0]
    sql = block.split("```sql", 1)[1].rsplit("```", 1)[0]
    sql = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in sql.split(";") if s.strip()]


def queries(document, section, until):
    text = open(document).read().split(section, 1)[1].split(until, 1)[0]
    return [q.strip() for q in re.findall(r"```sql\n(.*?)```", text, re.S)]


def main():
    document, schema, work = sys.argv[1], sys.argv[2], sys.argv[3]
    count = 0
    for path in sys.argv[4:]:
        for envelope in envelopes(path):
            with open(os.path.join(work, "envelope-%06d.bin" % count), "wb") as f:
                f.write(envelope)
            count += 1
    db = session.Session(os.path.join(work, "chdb"))
    made = {}
    for statement in statements(document):
        try:
            db.query(statement)
            made[statement.split("(")[0].split(" AS ")[0].strip()] = "ok"
        except Exception as e:  # reported, and the test decides
            made[statement.split("(")[0].split(" AS ")[0].strip()] = str(e).splitlines()[0][:300]
    db.query("""INSERT INTO xtcp.records SELECT * FROM file('%s/envelope-*.bin', 'ProtobufList')
                SETTINGS format_schema = '%s:XtcpFlatRecord'""" % (work, schema))

    def rows(sql):
        out = str(db.query(sql, "JSONCompact"))
        return json.loads(out)["data"] if out.strip() else []

    # The document's queries cover the last hour; the records are minutes old.
    top_peers, rtt_per_namespace, closes_by_port = [rows(q) for q in queries(document, "## Queries", "## Dashboard queries")]
    dashboard = [rows(q) for q in queries(document, "## Dashboard queries", "## How this is tested")]
    result = {
        "envelopes": count,
        "rows": rows("SELECT count() FROM xtcp.records")[0][0],
        "kinds": rows("SELECT toString(record_kind), count() FROM xtcp.records GROUP BY record_kind ORDER BY 1"),
        "top_peers": top_peers,
        "rtt_per_namespace": rtt_per_namespace,
        "closes_by_port": closes_by_port,
        "dashboard": dashboard,
        "statements": made,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
