import Foundation
import Testing
import TestSupport

/// The gRPC API against an independent client: Python's grpcio, with code
/// grpcio-tools generates from the project's .proto files when the test
/// runs (`Tests/Scripts/grpc_client.py`), so a server that drifted from the
/// .proto, or a .proto that drifted from xtcp2's, fails here.
@Suite("gRPC API: xtcp2's ConfigService and XTCPFlatRecordService to a Python client (live)", .serialized)
struct GRPCAPITests {
    static let client = Paths.packageRoot + "/Tests/Scripts/grpc_client.py"

    /// One call: its JSON answer, or `["error": CODE]`.
    static func call(_ address: String, _ arguments: [String], options: [String] = [], in ns: TestNamespace? = nil) throws -> [String: Any] {
        let command = ["python3", client, Paths.protoRoot, address] + options + arguments
        let run = try Shell.capture(ns.map { $0.execNetworkOnly(command) } ?? command, timeout: 90)
        let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            Issue.record("grpc_client.py \(arguments): \(run.stdout) \(run.stderr)")
            return [:]
        }
        return object
    }

    static func error(_ answer: [String: Any]) -> String? { answer["error"] as? String }

    /// SIGTERM, then every line to the end; the exit status.
    @discardableResult
    static func stop(_ xtcp: LineProcess) -> Int32 {
        kill(xtcp.processIdentifier, SIGTERM)
        return xtcp.finish()
    }

    static func port() -> Int { Int.random(in: 20_000...29_999) }

    @Test("the committed Swift code's descriptor set is what protoc reads from the .proto files")
    func generatedCodeMatchesProto() throws {
        let generated = Paths.packageRoot + "/Sources/ControlAPI/Generated"
        let made = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-api-\(getpid()).pb").path
        defer { try? FileManager.default.removeItem(atPath: made) }
        try Shell.run(["protoc", "-I", Paths.protoRoot, "--include_imports", "--descriptor_set_out=\(made)",
                       "xtcp_config/v1/xtcp_config.proto", "grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto",
                       "xtcp_flat_record/v1/xtcp_flat_record_service.proto"])
        let fresh = try Data(contentsOf: URL(fileURLWithPath: made))
        let committed = try Data(contentsOf: URL(fileURLWithPath: generated + "/xtcp_api.pb"))
        #expect(fresh == committed, "the .proto files changed: run scripts/generate-grpc.sh and commit what it makes")
        let embedded = try String(contentsOfFile: generated + "/APIDescriptorSet.swift", encoding: .utf8)
        let base64 = try #require(embedded.split(separator: "\"").dropFirst().first.map(String.init))
        #expect(Data(base64Encoded: base64) == committed, "APIDescriptorSet.swift is not xtcp_api.pb: run scripts/generate-grpc.sh")
    }

    static func now() -> Double { Date().timeIntervalSince1970 * 1000 }

    @Test("every ConfigService method: Get (secrets redacted), TriggerPoll, TriggerPollBurst, SetPollFrequency, Set, SetS3Upload, and the refusals")
    func configService() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-grpc-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let secret = "s3-secret-\(UInt32.random(in: 0...UInt32.max))"
        try secret.write(toFile: work + "/secret", atomically: false, encoding: .utf8)
        chmod(work + "/secret", 0o600)
        let grpc = "127.0.0.1:\(Self.port())"
        // An s3: destination with nothing to upload to (its uploads fail,
        // said as warnings): Get's S3 fields and SetS3Upload are what is
        // tested here; the sink is tested against SeaweedFS elsewhere.
        let xtcp = try LineProcess([Paths.xtcp, "-namespaces", "own", "-frequency", "1h", "-pollJitterPct", "0", "-promListen", "off",
                                    "-logFormat", "json", "-grpcListen", grpc, "-dest", "s3:", "-s3Endpoint", "http://127.0.0.1:9", "-s3Bucket", "xtcp-grpc",
                                    "-s3AccessKey", "AKIDGRPCTEST", "-s3SecretKeyFile", work + "/secret", "-s3SkipBucketProbe"],
                                   readsStderr: true)
        defer { Self.stop(xtcp) }
        #expect(xtcp.waitForLine { $0.contains(#""poll":1,"#) } != nil, "\(xtcp.lines)")

        let got = try #require(try Self.call(grpc, ["get"])["config"] as? [String: Any])
        #expect(got["poll_frequency"] as? String == "3600s" && got["poll_timeout"] as? String == "3600s", "\(got)")
        #expect(got["dest"] as? String == "s3:" && got["s3_access_key"] as? String == "AKIDGRPCTEST", "\(got)")
        #expect(got["s3_secret_key"] as? String == "(redacted)", "\(got)")
        #expect(got["grpc_port"] as? Int == Int(grpc.split(separator: ":")[1]), "\(got)")

        // TriggerPoll: exactly one poll more, answered once it has ended.
        let triggered = Self.now()
        #expect(Self.error(try Self.call(grpc, ["trigger"])) == nil)
        Thread.sleep(forTimeInterval: 1)

        // Bad requests: a burst's count, an interval under the timeout, a
        // timeout over the frequency, a field that needs a restart.
        let refused = Self.now()
        #expect(Self.error(try Self.call(grpc, ["burst", "0", "4000"])) == "INVALID_ARGUMENT")
        #expect(Self.error(try Self.call(grpc, ["burst", "5", "1"])) == "INVALID_ARGUMENT", "interval 1s under the 1h timeout")
        #expect(Self.error(try Self.call(grpc, ["set-frequency", "1", "2"])) == "INVALID_ARGUMENT")
        let restart = try Self.call(grpc, ["set", #"{"netlinkers": 3, "poll_frequency": "2s"}"#])
        #expect(Self.error(restart) == "FAILED_PRECONDITION" && (restart["details"] as? String ?? "").contains("netlinkers"), "\(restart)")
        #expect((try Self.call(grpc, ["get"])["config"] as? [String: Any])?["poll_frequency"] as? String == "3600s", "nothing applied")

        // A timeout short enough for a burst 300 ms apart; then the burst.
        #expect(Self.error(try Self.call(grpc, ["set-frequency", "3600", "0.25"])) == nil)
        let bursting = Self.now()
        let burst = try Self.call(grpc, ["burst", "4", "0.3"])
        #expect(burst["count"] as? Int == 4 && burst["interval"] as? String == "0.300s", "\(burst)")
        #expect(Self.error(try Self.call(grpc, ["burst", "4", "0.3"])) == "RESOURCE_EXHAUSTED", "one burst at a time")
        Thread.sleep(forTimeInterval: 2.5)

        // SetPollFrequency 500ms: the polls that follow are 500 ms apart.
        let frequent = Self.now()
        #expect(Self.error(try Self.call(grpc, ["set-frequency", "0.5"])) == nil)
        Thread.sleep(forTimeInterval: 3.5)
        let settled = Self.now()

        // Set, live fields only: applied; SetS3Upload on the s3: destination.
        let set = try Self.call(grpc, ["set", #"{"poll_frequency": "2s", "s3_secret_key": "(redacted)", "dest": "s3:"}"#])
        #expect((set["config"] as? [String: Any])?["poll_frequency"] as? String == "2s", "\(set)")
        let s3 = try Self.call(grpc, ["s3", "30", "1048576"])
        #expect((s3["config"] as? [String: Any])?["s3_flush_interval"] as? String == "30s", "\(s3)")
        #expect((s3["config"] as? [String: Any])?["s3_parquet_flush_threshold_bytes"] as? Int == 1_048_576, "\(s3)")
        #expect(Self.error(try Self.call(grpc, ["s3", "30", "10"])) == "INVALID_ARGUMENT")
        #expect(try Self.call(grpc, ["health"])["status"] as? String != nil)
        let reflected = try Self.call(grpc, ["reflect"])
        #expect((reflected["services"] as? [String] ?? []).contains("xtcp_flat_record.v1.XTCPFlatRecordService"), "\(reflected)")
        #expect(reflected["record_fields"] as? Int ?? 0 > 150, "\(reflected)")
        #expect(Self.stop(xtcp) == 0)
        #expect(!xtcp.lines.joined().contains(secret), "the secret stays unsaid")

        let starts = Self.polls(xtcp.lines).map { $0.start }
        func between(_ a: Double, _ b: Double) -> [Double] { starts.filter { $0 >= a && $0 < b } }
        #expect(starts.filter { $0 < triggered }.count == 1, "the first poll only, before the trigger: \(starts)")
        #expect(between(triggered, refused).count == 1, "TriggerPoll: one poll: \(starts)")
        #expect(between(refused, bursting).isEmpty, "refused requests poll nothing: \(starts)")
        let bursted = between(bursting, frequent)
        #expect(bursted.count == 4, "the burst's 4 polls: \(bursted)")
        for (a, b) in zip(bursted, bursted.dropFirst()) { #expect(abs((b - a) - 300) <= 150, "300 ms apart: \(bursted)") }
        let scheduled = between(frequent, settled)
        let gaps = zip(scheduled, scheduled.dropFirst()).map { $1 - $0 }.sorted()
        #expect(scheduled.count >= 5 && abs((gaps.isEmpty ? 0 : gaps[gaps.count / 2]) - 500) <= 150, "every 500 ms: \(scheduled)")
    }

    @Test("FlatRecords: every socket of a 2,020-socket farm once per poll; a client that reads nothing for 10 s loses records, counted, and polls keep their pace")
    func flatRecords() throws {
        try withDestinationFarm(prefix: "xtcp-grpc") { ns, work in
            let grpc = "127.0.0.1:\(Self.port())"
            let http = Self.port()
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "250ms", "-pollJitterPct", "0",
                                                "-promListen", "127.0.0.1:\(http)", "-grpcListen", grpc,
                                                "-logFormat", "json", "-dest", "file:\(work)/out.bin"]), readsStderr: true)
            defer { Self.stop(xtcp) }
            #expect(xtcp.waitForLine { $0.contains(#""poll":1,"#) } != nil)
            let farm = try Set(SocketKey.ssKeys(in: ns).filter { $0.contains(":907") })
            #expect(farm.count >= 2020, "the farm: \(farm.count)")

            // A reader of every record, for 4 s (about 16 polls).
            let reader = try Shell.capture(ns.execNetworkOnly(["python3", Self.client, Paths.protoRoot, grpc, "stream", "4"]), timeout: 60)
            var byPoll: [Int: [String]] = [:]
            for line in reader.stdout.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let poll = object["poll"] as? Int, let src = object["src"] as? String, let dst = object["dst"] as? String,
                      let sport = object["sport"] as? Int, let dport = object["dport"] as? Int else { continue }
                let key = SocketKey.key(SSAddress(host: src, port: UInt32(sport)), SSAddress(host: dst, port: UInt32(dport)))
                if farm.contains(key) { byPoll[poll, default: []].append(key) }
            }
            // The last poll read may be cut by the end of the 4 s.
            let whole = byPoll.keys.sorted().dropLast()
            #expect(whole.count >= 4, "polls streamed: \(byPoll.mapValues(\.count)); read \(reader.stdout.prefix(300)) \(reader.stderr); farm \(farm.prefix(3))")
            for poll in whole {
                let keys = byPoll[poll]!
                #expect(keys.count == farm.count && Set(keys) == farm, "poll \(poll): \(keys.count) farm records, \(Set(keys).count) distinct")
            }

            // PollFlatRecords: each request, one poll's records, all of them.
            let asked = try Shell.capture(ns.execNetworkOnly(["python3", Self.client, Paths.protoRoot, grpc, "poll-records", "2"]), timeout: 90)
            let answers = asked.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(answers.count == 2, "\(asked.stdout) \(asked.stderr)")
            for answer in answers {
                #expect((answer["poll_sequences"] as? [Int])?.count == 1 && answer["records"] as? Int ?? 0 >= 2020, "\(answer)")
            }

            // A client that reads nothing for 10 s: stopped (SIGSTOP), so
            // that not even its gRPC library reads the socket. Its queue
            // (8 MiB, about 10 polls of this farm) overflows, counted, and
            // the polls (and the file destination) go on at their pace.
            let stalled = try LineProcess(ns.execNetworkOnly(["python3", Self.client, Paths.protoRoot, grpc, "stall", "0"]))
            #expect(stalled.waitForLine { $0.contains("subscribed") } != nil)
            kill(stalled.processIdentifier, SIGSTOP)
            let stopped = Self.now()
            Thread.sleep(forTimeInterval: 10)
            let resumed = Self.now()
            kill(stalled.processIdentifier, SIGCONT)
            #expect(stalled.waitForLine { $0.contains("records") } != nil)
            stalled.finish()
            Thread.sleep(forTimeInterval: 1)
            let metrics = try Shell.capture(ns.execNetworkOnly(["curl", "-s", "http://127.0.0.1:\(http)/metrics"])).stdout
            let dropped = metrics.split(separator: "\n").first { $0.hasPrefix(#"xtcp_grpc_stream_records_dropped_total{method="FlatRecords"}"#) }
            #expect((dropped?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 0, "\(dropped ?? "no sample")")
            #expect(Self.stop(xtcp) == 0)

            let polls = Self.polls(xtcp.lines)
            let before = polls.filter { $0.start >= stopped - 8000 && $0.start < stopped }.map { $0.ms }.sorted()
            let during = polls.filter { $0.start >= stopped && $0.start < resumed }.map { $0.ms }.sorted()
            #expect(during.count >= 30, "polls went on at their pace while the client was stopped: \(during.count)")
            #expect(!before.isEmpty && !during.isEmpty && during[during.count / 2] <= max(before[before.count / 2] * 3, 100),
                    "poll ms before \(before), with the stalled client \(during)")
            print("gRPC stalled client: poll ms before (median of \(before.count)) \(before.isEmpty ? 0 : before[before.count / 2]), "
                  + "while stopped (median of \(during.count)) \(during.isEmpty ? 0 : during[during.count / 2]), max \(during.last ?? 0); \(dropped ?? "")")
            let ended = xtcp.lines.filter { $0.contains("grpc: FlatRecords client") }
            #expect(ended.count == 2 && ended[1].contains("lost to a full queue"), "the loss said: \(ended)")
        }
    }

    /// Each poll's start (ms since the epoch) and duration (ms), from the
    /// daemon's json lines.
    static func polls(_ lines: [String]) -> [(start: Double, ms: Double)] {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return lines.compactMap { line -> (Double, Double)? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["poll"] != nil, let ms = object["duration_ms"] as? Double,
                  let time = (object["time"] as? String).flatMap(format.date(from:)) else { return nil }
            return (time.timeIntervalSince1970 * 1000 - ms, ms)
        }
    }

    @Test("-grpcToken: a call without the token is UNAUTHENTICATED; with TLS, a client trusting the certificate connects, one without it fails")
    func tokenAndTLS() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-grpc-tls-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for name in ["server", "other"] {
            try Shell.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "\(work)/\(name)-key.pem", "-out", "\(work)/\(name).pem"])
        }
        chmod(work + "/server-key.pem", 0o600)
        let token = "t0ken-\(UInt32.random(in: 0...UInt32.max))"
        let grpc = "127.0.0.1:\(Self.port())"
        let xtcp = try LineProcess(["env", "XTCP_GRPCTOKEN=\(token)", Paths.xtcp, "-namespaces", "own", "-frequency", "1h", "-promListen", "off",
                                    "-grpcListen", grpc, "-grpcTLSCert", work + "/server.pem", "-grpcTLSKey", work + "/server-key.pem",
                                    "-dest", "null"], readsStderr: true)
        defer { Self.stop(xtcp) }
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") && $0.contains(" ms ") } != nil)
        #expect(xtcp.lines.contains { $0.contains("gRPC API on \(grpc) (TLS), bearer token asked") }, "\(xtcp.lines)")
        let trusted = ["--ca", work + "/server.pem"]
        #expect(Self.error(try Self.call(grpc, ["get"], options: trusted + ["--token", token])) == nil)
        #expect(Self.error(try Self.call(grpc, ["get"], options: trusted)) == "UNAUTHENTICATED")
        #expect(Self.error(try Self.call(grpc, ["trigger"], options: trusted + ["--token", token + "x"])) == "UNAUTHENTICATED")
        #expect(Self.error(try Self.call(grpc, ["stream", "1"], options: trusted)) == "UNAUTHENTICATED")
        #expect(try Self.call(grpc, ["health"], options: trusted)["status"] as? String != nil, "health asks no token (a probe sends none)")
        #expect(Self.error(try Self.call(grpc, ["get"], options: ["--ca", work + "/other.pem", "--token", token])) == "UNAVAILABLE",
                "a client that does not trust the certificate")
        #expect(Self.error(try Self.call(grpc, ["get"], options: ["--token", token])) == "UNAVAILABLE", "a plaintext client")
        #expect(Self.stop(xtcp) == 0)
        #expect(!xtcp.lines.joined().contains(token), "the token stays unsaid")
    }

    @Test("the listener is on loopback unless -grpcListen names another address; -grpcPort N is 127.0.0.1:N")
    func loopbackByDefault() throws {
        try withTestNamespace(prefix: "xtcp-grpc-lo") { ns in
            // An address that is not loopback: one end of a veth pair.
            try Shell.run(ns.exec(["ip", "link", "add", "xtcp0", "type", "veth", "peer", "name", "xtcp1"]))
            try Shell.run(ns.exec(["ip", "addr", "add", "10.231.0.1/24", "dev", "xtcp0"]))
            try Shell.run(ns.exec(["ip", "link", "set", "xtcp0", "up"]))
            try Shell.run(ns.exec(["ip", "link", "set", "xtcp1", "up"]))
            let port = Self.port()
            for (flags, reachable) in [(["-grpcPort", "\(port)"], ["127.0.0.1"]),
                                       ([] as [String], ["127.0.0.1"]),
                                       (["-grpcListen", "10.231.0.1:\(port)"], ["10.231.0.1"])] {
                let listen = flags.isEmpty ? 8889 : port
                // Not the suite's XTCP_GRPCLISTEN=off: the default is tested.
                let xtcp = try LineProcess(ns.exec(["env", "-u", "XTCP_GRPCLISTEN", Paths.xtcp, "-namespaces", "own", "-frequency", "1h",
                                                    "-promListen", "off", "-dest", "null"] + flags), readsStderr: true)
                #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") && $0.contains(" ms ") } != nil, "\(flags): \(xtcp.lines)")
                for host in ["127.0.0.1", "10.231.0.1"] {
                    let answer = try Self.call("\(host):\(listen)", ["get"], in: ns)
                    #expect((Self.error(answer) == nil) == reachable.contains(host), "\(flags), \(host): \(answer)")
                }
                Self.stop(xtcp)
            }
        }
    }
}
