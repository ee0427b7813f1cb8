#!/usr/bin/env python3
"""An independent client of xtcp's gRPC API: Python's grpcio, with code that
grpcio-tools generates at run time from the project's own .proto files (so a
.proto that no longer matches the server fails here). Prints JSON, one
object per line.

usage: grpc_client.py PROTO_DIR ADDRESS [--token T] [--ca PEM] [--name HOST] COMMAND ...
  get                                   the configuration (GetResponse as JSON)
  set-frequency FREQ [TIMEOUT]          SetPollFrequency (Go-style seconds: 0.5, 2)
  set JSON                              Set with an XtcpConfig given as JSON
  trigger                               TriggerPoll
  burst COUNT INTERVAL                  TriggerPollBurst
  s3 INTERVAL BYTES                     SetS3Upload
  health [SERVICE]                      Health.Check
  reflect                               the services reflection lists (v1alpha)
  stream SECONDS                        FlatRecords for SECONDS: a line per record
                                        {poll, src, sport, dst, dport}
  stall SECONDS                         FlatRecords: one record, then nothing for
                                        SECONDS (or while stopped by the test),
                                        then what comes for 2 s: {records}
  poll-records N                        PollFlatRecords: N requests, one at a time;
                                        per request {poll_sequences, records}
Errors: {"error": STATUS_CODE_NAME, "details": ...} and exit 3.
"""
import ipaddress
import json
import os
import sys
import tempfile
import time


def generate(proto_dir):
    from grpc_tools import protoc
    import grpc_tools
    out = tempfile.mkdtemp(prefix="xtcp-grpc-py-")
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = ["xtcp_config/v1/xtcp_config.proto", "xtcp_flat_record/v1/xtcp_flat_record.proto",
             "xtcp_flat_record/v1/xtcp_flat_record_service.proto"]
    # health.proto under another path: Python's module would be grpc.health,
    # inside grpcio's own package (the service keeps its name on the wire).
    os.makedirs(os.path.join(out, "health_proto"))
    with open(os.path.join(proto_dir, "grpc/health/v1/health.proto")) as source, \
            open(os.path.join(out, "health_proto", "xtcp_health.proto"), "w") as copy:
        copy.write(source.read())
    for arguments in ([f"-I{proto_dir}", *files], [f"-I{os.path.join(out, 'health_proto')}", "xtcp_health.proto"]):
        code = protoc.main(["protoc", *arguments[:-len(files) if len(arguments) > 2 else -1], f"-I{include}",
                            f"--python_out={out}", f"--grpc_python_out={out}", *arguments[-len(files) if len(arguments) > 2 else -1:]])
        if code != 0:
            raise SystemExit(f"grpc_tools.protoc failed ({code})")
    sys.path.insert(0, out)


def duration(seconds):
    from google.protobuf.duration_pb2 import Duration
    d = Duration()
    d.FromNanoseconds(int(round(float(seconds) * 1e9)))
    return d


def host(raw):
    return str(ipaddress.ip_address(raw)) if raw else "0.0.0.0"


def main():
    args = sys.argv[1:]
    proto_dir, target = args[0], args[1]
    args = args[2:]
    token = ca = name = None
    while args and args[0].startswith("--"):
        flag, value = args[0], args[1]
        args = args[2:]
        if flag == "--token":
            token = value
        elif flag == "--ca":
            ca = value
        elif flag == "--name":
            name = value
    command, rest = args[0], args[1:]
    generate(proto_dir)
    import grpc
    from google.protobuf import json_format
    from xtcp_config.v1 import xtcp_config_pb2 as config, xtcp_config_pb2_grpc as config_grpc
    from xtcp_flat_record.v1 import xtcp_flat_record_service_pb2 as records, xtcp_flat_record_service_pb2_grpc as records_grpc
    import xtcp_health_pb2 as health_pb2, xtcp_health_pb2_grpc as health_pb2_grpc

    options = [("grpc.ssl_target_name_override", name)] if name else []
    if command == "stall":
        # No window growth by bandwidth probing: what a stopped client holds
        # is its socket's buffer and the initial window, not megabytes more.
        options.append(("grpc.http2.bdp_probe", 0))
    if ca:
        with open(ca, "rb") as f:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=f.read()), options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    metadata = [("authorization", f"Bearer {token}")] if token else None
    say = lambda value: print(json.dumps(value), flush=True)
    as_json = lambda message: json_format.MessageToDict(message, preserving_proto_field_name=True)
    configs = config_grpc.ConfigServiceStub(channel)
    stream_stub = records_grpc.XTCPFlatRecordServiceStub(channel)
    try:
        if command == "get":
            say(as_json(configs.Get(config.GetRequest(), metadata=metadata, timeout=10)))
        elif command == "set-frequency":
            request = config.SetPollFrequencyRequest(poll_frequency=duration(rest[0]))
            if len(rest) > 1:
                request.poll_timeout.CopyFrom(duration(rest[1]))
            say(as_json(configs.SetPollFrequency(request, metadata=metadata, timeout=10)))
        elif command == "set":
            wanted = json_format.ParseDict(json.loads(rest[0]), config.XtcpConfig())
            say(as_json(configs.Set(config.SetRequest(config=wanted), metadata=metadata, timeout=10)))
        elif command == "trigger":
            began = time.monotonic()
            configs.TriggerPoll(config.TriggerPollRequest(), metadata=metadata, timeout=60)
            say({"seconds": time.monotonic() - began})
        elif command == "burst":
            request = config.TriggerPollBurstRequest(count=int(rest[0]), interval=duration(rest[1]))
            say(as_json(configs.TriggerPollBurst(request, metadata=metadata, timeout=10)))
        elif command == "s3":
            request = config.SetS3UploadRequest(s3_flush_interval=duration(rest[0]), s3_parquet_flush_threshold_bytes=int(rest[1]))
            say(as_json(configs.SetS3Upload(request, metadata=metadata, timeout=10)))
        elif command == "health":
            health = health_pb2_grpc.HealthStub(channel)
            answer = health.Check(health_pb2.HealthCheckRequest(service=rest[0] if rest else ""), timeout=10)
            say({"status": health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)})
        elif command == "reflect":
            from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
            database = ProtoReflectionDescriptorDatabase(channel)
            services = sorted(database.get_services())
            method = database.FindFileContainingSymbol("xtcp_config.v1.ConfigService")
            say({"services": services, "config_file": method.name,
                 "record_fields": len(database.FindFileContainingSymbol("xtcp_flat_record.v1.XtcpFlatRecord").message_type[-1].field)})
        elif command == "stream":
            seconds = float(rest[0])
            call = stream_stub.FlatRecords(records.FlatRecordsRequest(), metadata=metadata)
            deadline = time.monotonic() + seconds
            say({"subscribed": True})
            for response in call:
                r = response.xtcp_flat_record
                say({"poll": r.poll_sequence, "src": host(r.inet_diag_msg_socket_source), "sport": r.inet_diag_msg_socket_source_port,
                     "dst": host(r.inet_diag_msg_socket_destination), "dport": r.inet_diag_msg_socket_destination_port})
                if time.monotonic() > deadline:
                    call.cancel()
                    break
        elif command == "stall":
            call = stream_stub.FlatRecords(records.FlatRecordsRequest(), metadata=metadata)
            next(call)  # the stream is live: the server has this client
            say({"subscribed": True})
            time.sleep(float(rest[0]))
            count = 1
            deadline = time.monotonic() + 2
            for _ in call:
                count += 1
                if time.monotonic() > deadline:
                    call.cancel()
                    break
            say({"records": count})
        elif command == "poll-records":
            import queue
            requests = queue.Queue()
            def ask():
                while True:
                    item = requests.get()
                    if item is None:
                        return
                    yield records.PollFlatRecordsRequest()
            call = stream_stub.PollFlatRecords(ask(), metadata=metadata)
            for _ in range(int(rest[0])):
                requests.put(1)
                seen, polls, last = 0, set(), time.monotonic()
                # A poll's records come together; the next request follows a
                # quiet second.
                import threading
                got = []
                def read():
                    for response in call:
                        got.append(response.xtcp_flat_record.poll_sequence)
                if not hasattr(main, "reader"):
                    main.reader = threading.Thread(target=read, daemon=True)
                    main.reader.start()
                start = len(got)
                while True:
                    time.sleep(0.2)
                    if len(got) > start and time.monotonic() - last > 1.0:
                        break
                    if len(got) != start + seen:
                        seen = len(got) - start
                        last = time.monotonic()
                    if time.monotonic() - last > 20:
                        break
                batch = got[start:]
                say({"poll_sequences": sorted(set(batch)), "records": len(batch)})
            requests.put(None)
            call.cancel()
        else:
            raise SystemExit(f"unknown command {command}")
    except grpc.RpcError as error:
        say({"error": error.code().name, "details": error.details()})
        sys.exit(3)


main()
