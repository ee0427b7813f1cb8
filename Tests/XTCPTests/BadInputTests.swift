import Foundation
import Testing
import TestSupport

/// Each way of starting xtcp wrong ends in one line on stderr, no trace,
/// and the documented exit code (README, "Exit codes").
@Suite("Bad input: one clear line and a documented exit code")
struct BadInputTests {
    static func run(_ arguments: [String], as prefix: [String] = []) throws -> (status: Int32, lines: [Substring]) {
        let result = try Shell.capture(prefix + [Paths.xtcp] + arguments)
        return (result.status, result.stderr.split(separator: "\n"))
    }

    @Test("usage errors exit 2", arguments: [
        (["-frequency", "10x"], "-frequency"),
        (["-netlinkers", "0"], "-netlinkers"),
        (["-nosuchflag"], "nosuchflag"),
        (["-dest", "kafka:"], "kafka: needs brokers"),
        (["-dest", "kafka:host"], "no :PORT"),
        (["-dest", "udp:127.0.0.1:99999"], "port"),
        (["-dest", "udp:127.0.0.1:9", "-envelopeFlushBytes", "70000"], "one datagram"),
        (["-dest", "tcp:collector"], "no :PORT"),
        (["-dest", "unix:relative/collector.sock"], "absolute socket path"),
        (["-dest", "stderr:x"], "expected stdout, stderr"),
        (["-marshal", "jsonl", "-columns", "hostname"], "only -marshal csv and tsv"),
        (["-dest", "valkey:cache1"], "no :PORT"),
        (["-dest", "http:collector"], "needs a URL"),
        (["-dest", "nats:collector:4222"], "nats:nats://HOST:PORT"),
        (["-dest", "nats:nats://collector"], "no :PORT"),
        (["-httpCAFile", "/nonexistent/ca.pem"], "readable file"),
        (["-dest", "s3:my-bucket"], "nothing after the colon"),
        (["-dest", "s3:"], "needs -s3Bucket"),
        (["-dest", "s3:", "-s3Bucket", "xtcp-records"], "needs -s3AccessKey and -s3SecretKeyFile"),
        (["-marshal", "parquet"], "S3 objects only"),
        (["-dest", "unixgram:relative.sock"], "absolute socket path"),
        (["-marshal", "csv", "-columns", "hostname,hostname"], "named twice"),
        (["-kafkaCompression", "gzip9"], "-kafkaCompression"),
        (["-topic", "no spaces"], "-topic"),
        (["-dest", "kafka:127.0.0.1:1", "-kafkaProperty", "no.such.property=1"], "no.such.property"),
    ])
    func usage(arguments: [String], mentions: String) throws {
        let (status, lines) = try Self.run(arguments)
        #expect(status == 2)
        #expect(lines.count == 1, "one line: \(lines)")
        #expect(lines.first?.hasPrefix("xtcp: ") == true && lines.first?.contains(mentions) == true, "\(lines)")
    }

    /// A wrong value for every flag that takes one. The table must name
    /// every such flag `xtcp -help` lists, so a new flag cannot come
    /// without its bad-input case.
    static let badValues: [String: String] = [
        "frequency": "10x", "replayKernel": "seven", "timeout": "0s", "pollJitterPct": "51", "maxLoops": "many", "netlinkers": "0", "cpus": "0",
        "ioUringRecvBatch": "0", "ioUringCqeBatch": "5000", "ioUringMultishot": "maybe", "ioUringFallback": "maybe",
        "namespaces": "some", "netnsDirs": "relative/dir", "reconcileFrequency": "10ms", "promListen": "no-port",
        "promPath": "metrics", "logLevel": "loud", "logFormat": "xml", "profile.mode": "heap", "profile.path": "", "maxNamespaces": "0",
        "nltimeout": "0s", "packetSize": "10", "dest": "ftp:host", "topic": "no spaces", "kafkaCompression": "gzip9",
        "kafkaQueueKBytes": "0", "kafkaMessageTimeout": "0s", "kafkaQueueFullWait": "2h", "kafkaFlushTimeout": "2h",
        "kafkaStartTimeout": "2h", "kafkaProperty": "no-equals-sign", "marshal": "xml", "columns": "no_such_field", "valkeyStreamMaxLen": "0", "httpCAFile": "relative.pem", "deserializers": "nope",
        "s3Endpoint": "ftp://s3.example", "s3Bucket": "A", "s3Prefix": "/lead", "s3Region": "bad region", "s3AccessKey": "with:colon",
        "s3SecretKeyFile": "/nonexistent/secret", "s3FlushBytes": "10", "s3FlushInterval": "0s", "s3FlushJitterPct": "51",
        "s3FlushThresholdJitterPct": "51", "s3UploadMaxAttempts": "0", "s3UploadBackoffCap": "2h", "s3QueueObjects": "0", "s3Compression": "gzip",
        "envelopeFlushRows": "0", "envelopeFlushBytes": "10", "filter": "sport = :http", "states": "open",
        "fullEvery": "0", "changesRttPct": "-1", "closeEventsBuffer": "1024", "kafkaPropertyFile": "/nonexistent/kafka.properties",
        "resolveContainerId": "maybe", "enrichNic": "maybe", "uplinkInterfaces": "eth0/1", "uplinkCount": "3",
        "enrichLldp": "maybe", "lldpdSocket": "run/lldpd.socket", "enrichContainer": "maybe", "dockerSocket": "/" + String(repeating: "d", count: 120),
        "grpcListen": "no-port", "grpcPort": "70000", "grpcTLSCert": "/nonexistent/cert.pem", "grpcTLSKey": "/nonexistent/key.pem",
        "grpcToken": "with space", "grpcTokenFile": "/nonexistent/token", "grpcStreamQueueBytes": "10",
    ]
    /// Flags whose every value is valid (free text), or whose bad value is
    /// not a usage error but a file that cannot be read or written (exit 1:
    /// the test below).
    static let noBadValue: Set = ["hostname", "location", "label", "tag", "replay", "capture"]

    @Test("every flag with a wrong value: one line naming the flag, exit 2; the table covers every flag -help lists")
    func everyFlag() throws {
        let help = try Shell.capture([Paths.xtcp, "-help"]).stdout
        // "  -frequency, --frequency <frequency>": the flags that take a value.
        let listed = Set(help.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  -"), line.contains("<") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "," && $0 != " " })
        })
        #expect(listed.count > 30, "\(help)")
        #expect(listed == Set(Self.badValues.keys).union(Self.noBadValue), "flags without a case: \(listed.subtracting(Self.badValues.keys).subtracting(Self.noBadValue))")
        for (flag, value) in Self.badValues.sorted(by: { $0.key < $1.key }) {
            let rest = [("maxLoops", "1"), ("dest", "null"), ("promListen", "off")].filter { $0.0 != flag }.flatMap { ["-" + $0.0, $0.1] }
            let (status, lines) = try Self.run(["-\(flag)", value] + rest)
            #expect(status == 2, "-\(flag) \(value): exit \(status) \(lines)")
            #expect(lines.count == 1 && lines[0].hasPrefix("xtcp: ") && lines[0].contains(flag), "-\(flag) \(value): \(lines)")
        }
    }

    @Test("-replay of a file that is missing, unreadable, truncated, not a capture, or a pcap of another link type: one line each")
    func badReplayFiles() throws {
        let directory = NSTemporaryDirectory() + "xtcp-replay-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Paths.xtcp2Captures + "/6_10_3/6_10_3_tcp_100_sockets.pcap"))
        // Cut inside the last record: the records before it replay, the rest is said.
        try whole.prefix(whole.count - 7).write(to: URL(fileURLWithPath: directory + "/truncated.pcap"))
        try Data("hello, not a capture\n".utf8).write(to: URL(fileURLWithPath: directory + "/text.pcap"))
        var ethernet = whole.prefix(24)
        ethernet[20] = 1; ethernet[21] = 0; ethernet[22] = 0; ethernet[23] = 0  // LINKTYPE_ETHERNET
        try ethernet.write(to: URL(fileURLWithPath: directory + "/ethernet.pcap"))
        try Data(whole.prefix(10)).write(to: URL(fileURLWithPath: directory + "/header-only.pcap"))
        try whole.write(to: URL(fileURLWithPath: directory + "/unreadable.pcap"))
        chmod(directory + "/unreadable.pcap", 0)

        func replay(_ name: String, as prefix: [String] = []) throws -> (status: Int32, lines: [Substring]) {
            try Self.run(["-replay", directory + "/" + name, "-dest", "null"], as: prefix)
        }
        let truncated = try replay("truncated.pcap")
        #expect(truncated.status == 0 && truncated.lines.count == 1 && truncated.lines[0].contains("capture truncated"), "\(truncated.lines)")
        for (name, says) in [("missing.pcap", "No such file"), ("text.pcap", "neither a LINKTYPE_NETLINK pcap"),
                             ("ethernet.pcap", "link type 1"), ("header-only.pcap", "shorter than a pcap header")] {
            let (status, lines) = try replay(name)
            #expect(status == 1 && lines.count == 1 && lines[0].hasPrefix("xtcp: ") && lines[0].contains(says), "\(name): \(lines)")
        }
        // Root reads a mode-0 file; nobody does not.
        let nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        chmod(directory, 0o755)
        let (status, lines) = try replay("unreadable.pcap", as: nobody)
        #expect(status == 1 && lines.count == 1 && lines[0].contains("Permission denied"), "\(lines)")
    }

    @Test("an unreachable broker exits 3")
    func unreachableBroker() throws {
        let (status, lines) = try Self.run(["-dest", "kafka:127.0.0.1:1", "-kafkaStartTimeout", "1s", "-maxLoops", "1"])
        #expect(status == 3)
        #expect(lines == ["xtcp: cannot reach a Kafka broker at 127.0.0.1:1 within 1s: 127.0.0.1:1 refused the connection"])
    }

    @Test("a file destination that cannot be opened exits 3")
    func unwritableFile() throws {
        let (status, lines) = try Self.run(["-dest", "file:/proc/xtcp-no-such-dir/out.bin", "-maxLoops", "1", "-promListen", "off"])
        #expect(status == 3)
        #expect(lines == ["xtcp: cannot open -dest file:/proc/xtcp-no-such-dir/out.bin: No such file or directory"])
    }

    @Test("polling without root exits 4")
    func withoutRoot() throws {
        let nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        let (status, lines) = try Self.run(["-dest", "null", "-maxLoops", "1"], as: nobody)
        #expect(status == 4)
        #expect(lines.count == 1 && lines[0].contains("CAP_NET_ADMIN") && lines[0].contains("run xtcp as root"), "\(lines)")
        // Replaying a capture needs no privilege.
        let replay = try Shell.capture(nobody + [Paths.xtcp, "-version"])
        #expect(replay.status == 0)
    }
}
