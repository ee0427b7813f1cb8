import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport

/// `-dest s3:` against a real S3 server (SeaweedFS, `weed server -s3`, with
/// an access key it checks SigV4 signatures against) started in a namespace
/// beside a farm of 2,020 sockets; the objects read back by independent
/// readers (`Tests/Scripts/s3_tool.py`: boto3, pyarrow, ClickHouse's s3()).
@Suite("-dest s3: objects in SeaweedFS, read by boto3, pyarrow and ClickHouse; the server down and back (live)", .serialized)
struct S3DestinationTests {
    static let tool = Paths.packageRoot + "/Tests/Scripts/s3_tool.py"
    static let endpoint = "http://127.0.0.1:65117"
    static let accessKey = "xtcp-test-key"
    static let secretKey = "xtcp-test-secret-2f9c61d0"
    static let bucket = "xtcp-records"

    /// SeaweedFS's master, volume, filer and S3 gateway in one process, every
    /// port above the farm's ephemeral range (65111-65118), its data in `dir`
    /// (kept across a restart), its log in dir/weed.log.
    final class Server {
        let process: LineProcess
        init(_ ns: TestNamespace, dir: String) throws {
            let config = dir + "/s3.json"
            let identity = #"{"identities":[{"name":"xtcp","credentials":[{"accessKey":"\#(S3DestinationTests.accessKey)","secretKey":"\#(S3DestinationTests.secretKey)"}],"actions":["Admin","Read","Write","List"]}]}"#
            try identity.write(toFile: config, atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
            let weed = ["weed", "server", "-dir=\(dir)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.port=65111", "-master.port.grpc=65112",
                        "-volume.port=65113", "-volume.port.grpc=65114", "-filer.port=65115", "-filer.port.grpc=65116", "-s3", "-s3.port=65117",
                        "-s3.port.grpc=65118", "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=\(config)", "-volume.max=8", "-webdav=false",
                        "-iam=false", "-metricsPort=0"]
            process = try LineProcess(ns.exec(["sh", "-c", "exec " + weed.joined(separator: " ") + " >>\(dir)/weed.log 2>&1"]))
            // Up once the gateway answers and a volume takes writes: a PUT succeeds.
            let deadline = Date() + 60
            while Date() < deadline {
                if (try? S3DestinationTests.tool(ns, "ready")) != nil { return }
                Thread.sleep(forTimeInterval: 0.25)
            }
            Issue.record("weed server did not come up: \((try? String(contentsOfFile: dir + "/weed.log", encoding: .utf8).suffix(2000)) ?? "")")
        }
        /// Killed: a crash, not a shutdown.
        func kill() {
            _ = Glibc.kill(process.processIdentifier, SIGKILL)
            process.finish()
        }
    }

    @discardableResult
    static func tool(_ ns: TestNamespace, _ arguments: String...) throws -> String {
        try Shell.run(ns.execNetworkOnly(["python3", tool, endpoint, accessKey, secretKey] + arguments))
    }

    struct Fetched {
        var keys: [String]
        var envelopes: [[FlatRecord]]
    }

    /// Every object of the bucket, downloaded into `dir`.
    func fetch(_ ns: TestNamespace, into dir: String) throws -> Fetched {
        let keys = try JSONDecoder().decode([String].self, from: Data(Self.tool(ns, "fetch", Self.bucket, dir).utf8))
        let (envelopes, leftover) = try ProtobufList.decodedEnvelopes(inFile: dir + "/all.pb")
        #expect(leftover == 0, "every object whole frames")
        return Fetched(keys: keys, envelopes: envelopes)
    }

    /// The secret key in a file as an operator keeps it (0600).
    func secretFile(_ work: String) throws -> String {
        let path = work + "/s3-secret"
        try (Self.secretKey + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    func xtcp(_ work: String, _ extra: [String]) throws -> [String] {
        [Paths.xtcp, "-dest", "s3:", "-s3Endpoint", Self.endpoint, "-s3Bucket", Self.bucket, "-s3AccessKey", Self.accessKey,
         "-s3SecretKeyFile", try secretFile(work), "-hostname", "host-a"] + extra
    }

    /// `xtcp/host=host-a/date=YYYY-MM-DD/hour=HH/UNIX_8HEX.EXT`, the day and
    /// hour those of its Unix time, within the test's run.
    func keyProblems(_ keys: [String], extension ext: String, since start: Date) -> [String] {
        keys.compactMap { key in
            let parts = key.split(separator: "/").map(String.init)
            guard parts.count == 5, parts[0] == "xtcp", parts[1] == "host=host-a",
                  let name = parts.last, name.hasSuffix("." + ext),
                  let unix = Int(name.prefix { $0 != "_" }), name.dropFirst("\(unix)_".count).prefix(8).allSatisfy(\.isHexDigit)
            else { return key }
            let format = DateFormatter()
            format.timeZone = TimeZone(identifier: "UTC")
            format.dateFormat = "'date='yyyy-MM-dd'/hour='HH"
            let moment = Date(timeIntervalSince1970: TimeInterval(unix))
            guard parts[2] + "/" + parts[3] == format.string(from: moment), moment >= start - 2, moment <= Date() + 1 else { return key }
            return nil
        }
    }

    @Test("3 polls of 2,020 sockets: every object read back by boto3 under a Hive key, each poll's sockets exactly once, all delivered; ClickHouse's s3() reads the objects",
          arguments: ["protobufList", "parquet"])
    func threePolls(format: String) throws {
        try withDestinationFarm(prefix: "xtcp-s3") { ns, work in
            let server = try Server(ns, dir: work)
            defer { server.kill() }
            try Self.tool(ns, "mkbucket", Self.bucket)
            let start = Date()
            let run = try Shell.capture(ns.exec(try xtcp(work, ["-promListen", "off", "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "3",
                                                                 "-marshal", format, "-envelopeFlushRows", "500", "-s3FlushBytes", "65536"])))
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == summary["envelopes"] && summary.envelopesDropped == 0, "\(run.stderr)")
            let fetched = try fetch(ns, into: work + "/objects")
            // Parquet's zstd pages make a poll of this farm a smaller object.
            #expect(fetched.keys.count > (format == "parquet" ? 1 : 3), "\(fetched.keys.count) objects of at least 64 KiB")
            let ext = format == "parquet" ? "parquet" : "pb.zst"
            let badKeys = keyProblems(fetched.keys, extension: ext, since: start)
            #expect(badKeys.isEmpty, "\(badKeys.prefix(3))")
            let byPoll = try JSONDecoder().decode([[UInt64]].self, from: Data(Self.tool(ns, "clickhouse", Self.bucket, "xtcp/host=host-a/**/*.\(ext)",
                                                                                                   format == "parquet" ? "Parquet" : "ProtobufList", Paths.schema).utf8))
            #expect(byPoll.map { $0[0] } == [1, 2, 3], "\(byPoll)")
            #expect(byPoll.allSatisfy { $0[1] == $0[2] && $0[1] >= 2020 }, "ClickHouse: poll, rows, distinct cookies: \(byPoll)")
            if format == "protobufList" {
                #expect(fetched.envelopes.count == fetched.keys.count, "an object is one envelope")
                #expect(UInt64(fetched.envelopes.joined().count) == summary["records"], "\(fetched.envelopes.joined().count) records read of \(summary["records"])")
                let problems = SocketKey.pollProblems(fetched.envelopes, polls: 3, sockets: 2020)
                #expect(problems.isEmpty, "\(problems)")
            } else {
                #expect(UInt64(byPoll.map { $0[1] }.reduce(0, +)) == summary["records"], "every record a row: \(byPoll), \(summary["records"])")
            }
        }
    }

    @Test("Parquet: pyarrow reads every object and every column equals jsonl's value of the same record; ClickHouse's file() reads one")
    func parquetColumns() throws {
        let capture = "\(Paths.xtcp2Captures)/6_10_3/6_10_3_tcp_1000_sockets.pcap"
        try withTestNamespace { ns in
            let work = "/tmp/xtcp-s3-parquet-\(getpid())"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            let server = try Server(ns, dir: work)
            defer { server.kill() }
            try Self.tool(ns, "mkbucket", Self.bucket)
            try Shell.run([Paths.xtcp, "-replay", capture, "-label", "rack 4, \"blue\"", "-hostname", "host-a", "-marshal", "jsonl", "-dest", "file:\(work)/out.jsonl"])
            // Batches of 500 rows: several row groups per object.
            try Shell.run(ns.exec(try xtcp(work, ["-replay", capture, "-label", "rack 4, \"blue\"", "-marshal", "parquet", "-envelopeFlushRows", "500"])))
            _ = try fetch(ns, into: work + "/objects")
            struct Check: Decodable {
                var files: Int, rows: Int, expected: Int, columns: [String], mismatchCount: Int, mismatches: String
            }
            let check = try JSONDecoder().decode(Check.self, from: Data(Self.tool(ns, "parquet", work + "/objects", work + "/out.jsonl").utf8))
            #expect(check.files == 1 && check.rows == check.expected && check.rows > 1000, "\(check.files) files, \(check.rows) rows of \(check.expected)")
            #expect(check.columns == FlatRecord.fieldDescriptors.map(\.name))
            #expect(check.mismatchCount == 0, "\(check.mismatches)")
            let object = try #require(try FileManager.default.contentsOfDirectory(atPath: work + "/objects").first { $0.hasSuffix(".parquet") })
            let counted = try Shell.run(["python3", "-c", "import chdb, sys; print(chdb.query(\"SELECT count(), uniqExact(record_counter) FROM file('\" + sys.argv[1] + \"', 'Parquet')\", 'TabSeparated'))",
                                         work + "/objects/" + object]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(counted == "\(check.rows)\t\(check.rows)", "ClickHouse file(): \(counted)")
        }
    }

    @Test("a missing bucket and a wrong secret are said at start (exit 3), the secret never shown; S3's refusal of an upload is 'delivery failed'")
    func refusedAtStart() throws {
        try withTestNamespace { ns in
            let work = "/tmp/xtcp-s3-refused-\(getpid())"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            let server = try Server(ns, dir: work)
            defer { server.kill() }
            let missing = try Shell.capture(ns.exec(try xtcp(work, ["-promListen", "off", "-namespaces", "own", "-maxLoops", "1"])))
            #expect(missing.status == 3 && missing.stderr.contains("no bucket \(Self.bucket)") && missing.stderr.contains("404"), "\(missing.stderr)")
            try Self.tool(ns, "mkbucket", Self.bucket)
            let wrong = work + "/wrong-secret"
            try "not-the-secret\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            chmod(wrong, 0o600)
            var arguments = try xtcp(work, ["-promListen", "off", "-namespaces", "own", "-maxLoops", "1"])
            arguments[arguments.firstIndex(of: "-s3SecretKeyFile")! + 1] = wrong
            let refused = try Shell.capture(ns.exec(arguments))
            #expect(refused.status == 3 && refused.stderr.contains("refused the access key \(Self.accessKey) (HTTP 403)"), "\(refused.stderr)")
            // Past the probe, each upload refused: dropped at its first try.
            let unprobed = try Shell.capture(ns.exec(arguments + ["-s3SkipBucketProbe", "-maxLoops", "2", "-frequency", "500ms"]))
            let summary = try #require(XTCPSummary.final(of: unprobed.stderr), "\(unprobed.stderr)")
            #expect(unprobed.status == 5 && summary["delivered"] == 0 && summary.droppedEnvelopes["delivery failed"] == summary["envelopes"], "\(unprobed.stderr)")
            #expect(unprobed.stderr.contains("HTTP 403 SignatureDoesNotMatch after 1 try"), "\(unprobed.stderr)")
            for output in [missing.stderr, refused.stderr, unprobed.stderr] {
                #expect(!output.contains(Self.secretKey) && !output.contains("not-the-secret"))
            }
        }
    }

    @Test("the server killed for 10 s, then back: no crash, delivered + dropped = envelopes, uploads again within 5 s, the bucket holds the delivered envelopes, RSS bounded")
    func serverDownAndBack() throws {
        try withDestinationFarm(prefix: "xtcp-s3") { ns, work in
            var server = try Server(ns, dir: work)
            try Self.tool(ns, "mkbucket", Self.bucket)
            let xtcp = try LineProcess(ns.exec(try xtcp(work, ["-promListen", "off", "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "80",
                                                               "-marshal", "protobufList", "-envelopeFlushRows", "500", "-s3FlushInterval", "500ms",
                                                               "-s3FlushJitterPct", "0", "-s3UploadMaxAttempts", "3", "-s3UploadBackoffCap", "1s",
                                                               "-s3QueueObjects", "3"])), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            server.kill()
            Thread.sleep(forTimeInterval: 10)
            server = try Server(ns, dir: work)
            defer { server.kill() }
            let back = Date()
            let restored = try fetch(ns, into: work + "/restored").keys.count
            let resumed = try secondsUntil(since: back, every: 0.2) { try fetch(ns, into: work + "/probe").keys.count > restored }
            #expect(restored > 0, "what was uploaded before the kill is kept")
            #expect(resumed != nil && resumed! < 5, "uploading again \(resumed ?? -1) s after the server came back")
            #expect(xtcp.finish() == 5, "a run that lost envelopes exits 5: \(xtcp.lines.suffix(5))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 80 polls") }.map(XTCPSummary.init(line:)), "\(xtcp.lines.suffix(3))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(xtcp.lines.last ?? "")")
            let reasons = Set(summary.droppedEnvelopes.keys)
            #expect(summary.envelopesDropped > 0 && reasons.isSubset(of: ["unreachable", "queue full", "delivery failed", "unconfirmed"]), "\(summary.droppedEnvelopes)")
            #expect(xtcp.lines.contains { $0.contains("s3: uploading again") }, "said when it came back")
            let fetched = try fetch(ns, into: work + "/objects")
            // An upload unanswered once sent may have been stored: counted apart.
            let deliveredRows = summary["records"] - summary.droppedRows.values.reduce(0, +)
            let stored = UInt64(fetched.envelopes.joined().count)
            #expect(stored >= deliveredRows && stored <= deliveredRows + summary.droppedRows["unconfirmed", default: 0],
                    "\(stored) rows in the bucket, \(deliveredRows) delivered, \(summary.droppedRows["unconfirmed", default: 0]) unconfirmed")
            #expect(fetched.envelopes.joined().map(\.pollSequence).max() == 80, "the last poll arrived")
            let peak = summary["peakRSS"]
            #expect(peak > 0 && peak < 96 * 1024, "peak RSS \(peak) kB")
        }
    }
}
