#!/usr/bin/env python3
"""What the S3 destination's tests ask of the bucket, through boto3 (an
independent S3 client), pyarrow (an independent Parquet reader) and chdb
(ClickHouse's s3() table function). Prints JSON.

usage: s3_tool.py ENDPOINT ACCESS SECRET COMMAND ...
  mkbucket BUCKET                     create it
  ready                               a PUT works (the server is up and has a volume)
  fetch BUCKET DIR                    every object into DIR; prints their keys;
                                      protobufList objects (.pb, .pb.zst) also
                                      appended, uncompressed, to DIR/all.pb
  parquet DIR JSONL                   every DIR/*.parquet read by pyarrow, its
                                      rows compared with JSONL's, column by column
  clickhouse BUCKET PATTERN FORMAT SCHEMA
                                      per poll: [poll, rows, distinct cookies],
                                      read through s3()
"""
import json
import os
import sys

import boto3


def client(endpoint, access, secret):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                        region_name="us-east-1")


def fetch(s3, bucket, directory):
    import pyarrow
    os.makedirs(directory, exist_ok=True)
    out = []
    with open(os.path.join(directory, "all.pb"), "wb") as protobuf_list:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in sorted(page.get("Contents", []), key=lambda i: i["Key"]):
                key = item["Key"]
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                out.append(key)
                with open(os.path.join(directory, key.replace("/", "_")), "wb") as f:
                    f.write(body)
                if key.endswith(".pb.zst"):
                    protobuf_list.write(pyarrow.input_stream(pyarrow.py_buffer(body), compression="zstd").read())
                elif key.endswith(".pb"):
                    protobuf_list.write(body)
    return out


def parquet(directory, jsonl):
    import pyarrow.parquet as pq
    expected = {}
    for line in open(jsonl):
        record = json.loads(line)
        expected[(record["poll_sequence"], record["record_counter"])] = record
    rows, mismatches, files, columns = 0, [], 0, None
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".parquet"):
            continue
        files += 1
        table = pq.read_table(os.path.join(directory, name))
        columns = table.column_names
        for row in table.to_pylist():
            rows += 1
            record = expected.get((row["poll_sequence"], row["record_counter"]))
            if record is None:
                mismatches.append(["no such record", row["poll_sequence"], row["record_counter"]])
                continue
            different = [k for k in record if row.get(k) != record[k]] + [k for k in row if k not in record]
            if different:
                mismatches.append([row["record_counter"], different[:5], [row.get(k) for k in different[:3]], [record.get(k) for k in different[:3]]])
    return {"files": files, "rows": rows, "expected": len(expected), "columns": columns, "mismatchCount": len(mismatches),
            "mismatches": json.dumps(mismatches[:10])}


def clickhouse(endpoint, access, secret, bucket, pattern, fmt, schema):
    import chdb
    settings = f"SETTINGS format_schema = '{schema}:XtcpFlatRecord'" if fmt == "ProtobufList" else ""
    query = (f"SELECT poll_sequence, count(), uniqExact(inet_diag_msg_socket_cookie) "
             f"FROM s3('{endpoint}/{bucket}/{pattern}', '{access}', '{secret}', '{fmt}') "
             f"GROUP BY poll_sequence ORDER BY poll_sequence {settings}")
    lines = str(chdb.query(query, "TabSeparated")).strip().split("\n")
    return [[int(v) for v in line.split("\t")] for line in lines if line]


def main():
    endpoint, access, secret, command = sys.argv[1:5]
    args = sys.argv[5:]
    if command == "mkbucket":
        client(endpoint, access, secret).create_bucket(Bucket=args[0])
        print(json.dumps("ok"))
    elif command == "ready":
        s3 = client(endpoint, access, secret)
        try:
            s3.create_bucket(Bucket="xtcp-probe")
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        s3.put_object(Bucket="xtcp-probe", Key="probe", Body=b"x")
        print(json.dumps("ok"))
    elif command == "fetch":
        print(json.dumps(fetch(client(endpoint, access, secret), args[0], args[1])))
    elif command == "parquet":
        print(json.dumps(parquet(args[0], args[1])))
    elif command == "clickhouse":
        print(json.dumps(clickhouse(endpoint, access, secret, *args)))
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
