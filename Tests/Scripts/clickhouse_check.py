#!/usr/bin/env python3
"""Reads xtcp's protobufList output with ClickHouse (chdb) using the project's
.proto and prints, as JSON: the row count and, per row, the fields the test
compares. usage: clickhouse_check.py ENVELOPES.bin SCHEMA.proto"""
import json
import sys

import chdb

data, schema = sys.argv[1], sys.argv[2]
query = f"""
SELECT inet_diag_msg_socket_cookie, inet_diag_msg_state, inet_diag_msg_socket_source_port,
       tcp_info_rtt, tcp_info_bytes_received, congestion_algorithm_string, hostname,
       hex(inet_diag_msg_socket_source), sk_mem_info_rcv_buf, record_counter
FROM file('{data}', 'ProtobufList')
ORDER BY record_counter
SETTINGS format_schema = '{schema}:XtcpFlatRecord'
"""
rows = [line.split("\t") for line in str(chdb.query(query, "TabSeparated")).strip().split("\n") if line]
print(json.dumps(rows))
