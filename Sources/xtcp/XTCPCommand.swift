import ArgumentParser
import Netlink
import RecordFmt
import Logging
import XTCP
#if canImport(Glibc)
import Glibc
#endif

/// xtcp2-style flags: one dash (`-replay`), two accepted too (`--replay`).
func flag(_ name: String) -> NameSpecification {
    [.customLong(name, withSingleDash: true), .customLong(name)]
}

struct XTCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xtcp",
        abstract: "Stream the kernel's TCP socket diagnostics (ss -tiem) as protobuf records.",
        discussion: """
            Poll this host:     xtcp -frequency 10s -netlinkers 4 -dest file:/var/tmp/xtcp.bin
            Try it:             xtcp -frequency 1s -maxLoops 3
            Replay a capture:   xtcp -replay dump.pcap -dest stdout -marshal jsonl
            Capture this host:  xtcp -capture dump.pcap
            Every flag can also come from the environment as XTCP_<FLAG> (XTCP_FREQUENCY=30s, \
            XTCP_DEST=...); a flag on the command line wins.
            To Kafka:           xtcp -dest kafka:broker1:9092,broker2:9092 -topic xtcp
            Exit codes: 0 success (also after SIGTERM/SIGINT), 1 runtime failure, 2 usage error, \
            3 destination unavailable at start (unreachable broker, unwritable file), \
            4 not privileged enough (run as root).
            """
    )

    @Option(name: flag("replay"), help: "Decode a recorded dump (LINKTYPE_NETLINK pcap or `ss -D` file) instead of polling.")
    var replay: String?

    @Option(name: flag("capture"), help: "Dump this network namespace once and record the netlink traffic to a pcap.")
    var capture: String?

    @Option(name: flag("frequency"), help: "Time between polls (Go duration: 500ms, 10s, 1m).")
    var frequency: String = "10s"

    @Option(name: flag("timeout"), help: "Longest a poll may take; dumps still running then are abandoned and counted (default: -frequency).")
    var timeout: String?

    @Option(name: flag("pollJitterPct"), help: "Delay each tick by a random 0 to this percent of -frequency (0-50).")
    var pollJitterPct: Int = 10

    @Option(name: flag("maxLoops"), help: "Exit after this many polls (0: run until SIGTERM/SIGINT).")
    var maxLoops: Int = 0

    @Option(name: flag("netlinkers"), help: "Netlinker threads per namespace, each dumping its own part of the sockets, at most one per CPU (1-64).")
    var netlinkers: Int = 4

    @Option(name: flag("cpus"), help: "CPUs to plan netlinkers for (default: those of the process's affinity mask; set it lower under a CPU quota).")
    var cpus: Int?

    @Flag(name: flag("ioUring"), help: "Receive dumps through io_uring: -netlinkers rings shared by every namespace.")
    var ioUring = false

    @Option(name: flag("ioUringRecvBatch"), help: "With -ioUring: dumps (receives) in flight per ring (1-256).")
    var ioUringRecvBatch: Int = 8

    @Option(name: flag("ioUringCqeBatch"), help: "With -ioUring: completions taken per reap (1-4096).")
    var ioUringCqeBatch: Int = 64

    @Option(name: flag("ioUringMultishot"), help: "With -ioUring: one multishot receive per dump into provided buffers (Linux 6.0; true or false).")
    var ioUringMultishot: Bool = true

    @Option(name: flag("ioUringFallback"), help: "With -ioUring: when no ring can be set up, receive with recvmsg (true) or exit 1 (false).")
    var ioUringFallback: Bool = true

    @Option(name: flag("namespaces"), help: "Namespaces to poll: all (every network namespace on the host) or own (the one xtcp runs in).")
    var namespaces: String = "all"

    @Option(name: flag("netnsDirs"), help: "Directories of namespace bind mounts, comma-separated (empty: none).")
    var netnsDirs: String = NamespaceDiscovery.defaultDirectories.joined(separator: ",")

    @Option(name: flag("reconcileFrequency"), help: "Also look for new and vanished namespaces this often between polls (Go duration; 0: only before each poll and on changes in -netnsDirs).")
    var reconcileFrequency: String = "0s"

    @Option(name: flag("promListen"), help: "HOST:PORT of the HTTP listener for metrics and health (loopback unless said; off: none).")
    var promListen: String = "127.0.0.1:9088"

    @Flag(name: flag("healthcheck"), help: "Ask the daemon at -promListen whether it is alive (/healthz): exit 0 if so, else 1.")
    var healthcheck = false

    @Option(name: flag("promPath"), help: "The path of the Prometheus metrics on -promListen.")
    var promPath: String = "/metrics"

    @Option(name: flag("logLevel"), help: "Least severe log level written: trace, debug, info (a line per poll), notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(name: [.customShort("d")], help: "Debug logging (-logLevel debug): the configuration at start, every HTTP request.")
    var debug = false

    @Option(name: flag("profile.mode"), help: "cpu: profile the whole run's CPU and write it to -profile.path at the end (pprof format); none: do not.")
    var profileMode: String = "none"

    @Option(name: flag("profile.path"), help: "Where -profile.mode cpu writes its profile (gzipped profile.proto, for go tool pprof).")
    var profilePath: String = "xtcp-cpu.pb.gz"

    @Option(name: flag("maxNamespaces"), help: "The most namespaces polled at once (1-65536); more are left out with a warning.")
    var maxNamespaces: Int = 1024

    @Option(name: flag("nltimeout"), help: "Longest wait for a netlink reply before a dump counts as stalled (Go duration).")
    var nltimeout: String = "1s"

    @Option(name: flag("packetSize"), help: "Bytes of each netlinker's receive buffer (16384-1048576).")
    var packetSize: Int = 32 * 1024

    @Flag(name: flag("conf"), help: "Print the effective configuration (flags and XTCP_* environment) and exit.")
    var conf = false

    @Option(name: flag("dest"), help: "Destination: stdout, null, file:PATH, udp:HOST:PORT or kafka:HOST:PORT[,HOST:PORT...].")
    var dest: String = "stdout"

    @Option(name: flag("topic"), help: "Kafka topic.")
    var topic: String = "xtcp"

    @Option(name: flag("kafkaCompression"), help: "Kafka compression: lz4, zstd or none.")
    var kafkaCompression: String = "lz4"

    @Option(name: flag("kafkaQueueKBytes"), help: "KiB of envelopes Kafka may hold undelivered (bounds memory; 1024-2097151).")
    var kafkaQueueKBytes: Int = 16 * 1024

    @Option(name: flag("kafkaMessageTimeout"), help: "How long Kafka retries an envelope before dropping it (Go duration).")
    var kafkaMessageTimeout: String = "60s"

    @Option(name: flag("kafkaQueueFullWait"), help: "How long a full Kafka queue may hold a netlinker before the envelope is dropped.")
    var kafkaQueueFullWait: String = "1s"

    @Option(name: flag("kafkaFlushTimeout"), help: "How long shutdown waits for Kafka deliveries.")
    var kafkaFlushTimeout: String = "3s"

    @Option(name: flag("kafkaStartTimeout"), help: "How long the start waits to reach a Kafka broker (exit 3 if none answers); 0s: do not wait, poll and deliver once one answers.")
    var kafkaStartTimeout: String = "10s"

    @Option(name: flag("kafkaProperty"), help: "A librdkafka property, key=value (repeatable): TLS, SASL, client.id, ...")
    var kafkaProperty: [String] = []

    @Option(name: flag("marshal"), help: "Output format: \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default: jsonl to stdout, protobufList elsewhere).")
    var marshal: String?

    @Option(name: flag("deserializers"), help: "Attributes to decode, comma-separated, or all (default: all but meminfo).")
    var deserializers: String?

    @Option(name: flag("filter"), help: "Report only the sockets this ss-style expression keeps, filtered by the kernel: sport/dport OP PORT, src/dst PREFIX[:PORT], and, or, not, ( ) (e.g. 'dport = :443 or sport = :443').")
    var filter: String?

    @Option(name: flag("states"), help: "TCP states to report, comma-separated ss names: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, or the groups all, connected, synchronized, bucket, big.")
    var states: String = "all"

    @Flag(name: flag("changesOnly"), help: "Send a socket's record only when it changed significantly since its last one (state, queues, cwnd, counters; RTT beyond -changesRttPct), with every socket every -fullEvery polls.")
    var changesOnly = false

    @Option(name: flag("fullEvery"), help: "With -changesOnly: every socket is sent at the first poll and every this many polls after (1-1000000), so consumers can rebuild state.")
    var fullEvery: Int = 30

    @Option(name: flag("changesRttPct"), help: "With -changesOnly: an RTT that moved by more than this percent of the last one sent is a change (0-1000).")
    var changesRttPct: Int = 10

    @Flag(name: flag("closeEvents"), help: "Also send a record of each TCP socket the kernel destroys, with its last tcp_info (record_kind CLOSE): connections shorter than -frequency are not missed.")
    var closeEvents = false

    @Option(name: flag("closeEventsBuffer"), help: "With -closeEvents: bytes of each namespace's receive buffer for them, which absorbs bursts of closes (65536-1073741824).")
    var closeEventsBuffer: Int = 8 * 1024 * 1024

    @Option(name: flag("envelopeFlushRows"), help: "Flush an envelope at this many rows.")
    var envelopeFlushRows: Int = 10_000

    @Option(name: flag("envelopeFlushBytes"), help: "Flush an envelope at this many bytes (default: 786432; 60000 with -dest udp).")
    var envelopeFlushBytes: Int?

    @Option(name: flag("hostname"), help: "Hostname stamped into records (default: this host's).")
    var hostname: String?

    @Option(name: flag("location"), help: "Location stamped into records.")
    var location: String = ""

    @Option(name: flag("label"), help: "Label stamped into records.")
    var label: String = ""

    @Option(name: flag("tag"), help: "Tag stamped into records.")
    var tag: String = ""

    @Flag(name: [.customShort("v"), .customLong("version", withSingleDash: true), .customLong("version")], help: "Print the version and exit.")
    var version = false

    func validate() throws {
        _ = try makeConfig()
    }

    /// Checked after parsing, so that an unknown flag is reported as such
    /// rather than as a clash of modes.
    func validateMode() throws {
        if replay != nil, capture != nil { throw ValidationError("-replay and -capture exclude each other") }
    }

    /// The flags, validated, as the daemon's configuration.
    func makeConfig() throws -> DaemonConfig {
        func duration(_ text: String, _ name: String) throws -> GoDuration {
            do { return try GoDuration(parsing: text) } catch { throw ValidationError("-\(name) \(error)") }
        }
        /// `value` if it is within `range`, else the usage error that names
        /// the flag and its bounds.
        func bounded(_ value: Int, _ range: ClosedRange<Int>, _ name: String, unit: String = "") throws -> Int {
            guard range.contains(value) else {
                throw ValidationError("-\(name) \(value): expected \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " \(unit)")")
            }
            return value
        }
        var identity = RecordIdentity(hostname: hostname ?? Self.systemHostname())
        identity.location = location
        identity.label = label
        identity.tag = tag
        var config = DaemonConfig(identity: identity)

        config.frequency = try duration(frequency, "frequency")
        guard config.frequency.nanoseconds >= 10_000_000 else { throw ValidationError("-frequency \(frequency): at least 10ms") }
        config.timeout = try timeout.map { try duration($0, "timeout") } ?? config.frequency
        guard config.timeout.nanoseconds > 0 else { throw ValidationError("-timeout must be more than 0") }
        guard config.timeout.nanoseconds <= config.frequency.nanoseconds else {
            throw ValidationError("-timeout \(config.timeout) is longer than -frequency \(config.frequency): polls would overlap")
        }
        config.netlinkTimeout = try duration(nltimeout, "nltimeout")
        guard config.netlinkTimeout.nanoseconds >= 1_000_000 else { throw ValidationError("-nltimeout \(nltimeout): at least 1ms") }
        config.pollJitterPercent = try bounded(pollJitterPct, 0...50, "pollJitterPct")
        guard maxLoops >= 0 else { throw ValidationError("-maxLoops \(maxLoops): expected 0 (forever) or more") }
        config.maxLoops = maxLoops
        config.netlinkers = try bounded(netlinkers, 1...64, "netlinkers")
        config.ioUring = ioUring
        config.ioUringWindow = try bounded(ioUringRecvBatch, 1...256, "ioUringRecvBatch")
        config.ioUringCqeBatch = try bounded(ioUringCqeBatch, 1...4096, "ioUringCqeBatch")
        config.ioUringMultishot = ioUringMultishot
        config.ioUringFallback = ioUringFallback
        guard let scope = NamespaceScope(rawValue: namespaces) else {
            throw ValidationError("-namespaces \(namespaces): expected all or own")
        }
        config.namespaces = scope
        config.netnsDirectories = netnsDirs.split(separator: ",").map(String.init)
        for directory in config.netnsDirectories where !directory.hasPrefix("/") {
            throw ValidationError("-netnsDirs: \"\(directory)\" is not an absolute path")
        }
        config.reconcileFrequency = try duration(reconcileFrequency, "reconcileFrequency")
        guard config.reconcileFrequency.nanoseconds == 0 || config.reconcileFrequency.nanoseconds >= 100_000_000 else {
            throw ValidationError("-reconcileFrequency \(reconcileFrequency): 0 or at least 100ms")
        }
        config.maxNamespaces = try bounded(maxNamespaces, 1...65536, "maxNamespaces")
        guard promPath.hasPrefix("/"), !["/healthz", "/readyz"].contains(promPath) else {
            throw ValidationError("-promPath \(promPath): expected a path starting with / other than /healthz and /readyz")
        }
        config.promListen = ["", "off"].contains(promListen) ? nil : promListen
        if let address = config.promListen, ListenAddress(address) == nil {
            throw ValidationError("-promListen \(address): expected HOST:PORT, [V6]:PORT, :PORT or off")
        }
        config.promPath = promPath
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("-logLevel \(logLevel): expected one of \(StderrLogHandler.levelNames.joined(separator: ", "))")
        }
        guard ["none", "cpu"].contains(profileMode) else { throw ValidationError("-profile.mode \(profileMode): expected none or cpu") }
        config.profileWholeRun = profileMode == "cpu"
        guard !profilePath.isEmpty else { throw ValidationError("-profile.path: expected a file path") }
        config.profilePath = profilePath
        if let cpus { config.cpus = try bounded(cpus, 1...1024, "cpus") }
        config.packetSize = try bounded(packetSize, 16 * 1024...1024 * 1024, "packetSize", unit: "bytes")

        do { config.destination = try DestinationSpec(parsing: dest) } catch { throw ValidationError("-dest: \(error)") }
        if let marshal {
            guard let format = MarshalFormat(rawValue: marshal) else {
                throw ValidationError("-marshal \(marshal): expected one of \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.marshal = format
        } else {
            config.marshal = config.destination == .stdout ? .jsonl : .protobufList
        }
        if let deserializers {
            do { config.attributes = try DiagAttributeSet(parsing: deserializers) } catch { throw ValidationError("-deserializers: \(error)") }
        }
        if let filter {
            do { try config.setFilter(try SocketFilter(parsing: filter)) } catch { throw ValidationError("-filter '\(filter)': \(error)") }
        }
        do { config.states = try TCPStateSet(parsing: states) } catch { throw ValidationError("-states: \(error)") }
        guard config.states.mask != 0 else { throw ValidationError("-states: no state") }
        config.changesOnly = changesOnly
        config.closeEvents = closeEvents
        config.closeEventsBuffer = try bounded(closeEventsBuffer, 65536...1_073_741_824, "closeEventsBuffer", unit: "bytes")
        config.fullEvery = try bounded(fullEvery, 1...1_000_000, "fullEvery")
        config.changesRttPercent = try bounded(changesRttPct, 0...1000, "changesRttPct")
        guard envelopeFlushRows >= 1 else { throw ValidationError("-envelopeFlushRows must be at least 1") }
        config.envelopeFlushRows = envelopeFlushRows
        if config.destination.isUDP {
            // A datagram carries at most 65,507 bytes; the flush happens
            // after the row that crosses the threshold, so leave room for one.
            let limit = UDPDestination.maxIPv4Datagram - 5 * 1024
            config.envelopeFlushBytes = envelopeFlushBytes ?? 60_000
            guard config.envelopeFlushBytes <= limit else {
                throw ValidationError("-envelopeFlushBytes \(config.envelopeFlushBytes): with -dest udp at most \(limit), so an envelope fits one datagram")
            }
        } else {
            config.envelopeFlushBytes = envelopeFlushBytes ?? 768 * 1024
            guard config.envelopeFlushBytes <= 64 * 1024 * 1024 else { throw ValidationError("-envelopeFlushBytes must be at most 67108864") }
        }
        guard config.envelopeFlushBytes >= 1024 else { throw ValidationError("-envelopeFlushBytes must be at least 1024") }

        guard !topic.isEmpty, topic.count <= 249,
              topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else { throw ValidationError("-topic \"\(topic)\": 1 to 249 of a-z A-Z 0-9 . _ -") }
        config.kafka.topic = topic
        guard let compression = KafkaCompression(rawValue: kafkaCompression) else {
            throw ValidationError("-kafkaCompression \(kafkaCompression): expected lz4, zstd or none")
        }
        config.kafka.compression = compression
        config.kafka.queueKBytes = try bounded(kafkaQueueKBytes, 1024...2_097_151, "kafkaQueueKBytes")
        config.kafka.messageTimeout = try duration(kafkaMessageTimeout, "kafkaMessageTimeout")
        config.kafka.queueFullWait = try duration(kafkaQueueFullWait, "kafkaQueueFullWait")
        config.kafka.flushTimeout = try duration(kafkaFlushTimeout, "kafkaFlushTimeout")
        config.kafka.startTimeout = try duration(kafkaStartTimeout, "kafkaStartTimeout")
        for (name, value, least) in [
            ("kafkaMessageTimeout", config.kafka.messageTimeout, Int64(1_000_000)),
            ("kafkaFlushTimeout", config.kafka.flushTimeout, 0), ("kafkaStartTimeout", config.kafka.startTimeout, 0),
            ("kafkaQueueFullWait", config.kafka.queueFullWait, 0),
        ] where value.nanoseconds < least || value.nanoseconds > 3_600_000_000_000 {
            throw ValidationError("-\(name) \(value): expected \(least > 0 ? "1ms" : "0s") to 1h")
        }
        do {
            config.kafka.properties = try kafkaProperty.map(KafkaSettings.Property.init(parsing:))
        } catch { throw ValidationError("-kafkaProperty \(error)") }
        return config
    }

    func run() throws {
        if version {
            print("xtcp \(XTCPVersion.daemon) (schema \(XTCPVersion.schema))")
            return
        }
        let config = try makeConfig()
        if healthcheck {
            let answer = HealthCheck.ask(address: promListen)
            printError(answer.line)
            if !answer.healthy { throw ExitCode(1) }
            return
        }
        if conf {
            config.lines.forEach { print($0) }
            return
        }
        if let capture {
            let writer = try PcapWriter(path: capture)
            var record = FlatRecord()
            var count = 0
            let stats = try OneShotDump(attributes: config.attributes).run(record: &record, capture: writer) { _ in count += 1 }
            printError("xtcp: captured \(count) sockets to \(capture) (\(stats.problems) problems)")
            return
        }
        if let replay {
            let destination = try config.openDestination()
            let pipeline = BatchPipeline(
                marshaller: config.marshal.makeMarshaller(initialCapacity: config.envelopeCapacity),
                destination: destination, flushRows: config.envelopeFlushRows, flushBytes: config.envelopeFlushBytes)
            let summary = try ReplayRunner(identity: config.identity, attributes: config.attributes).run(path: replay, into: pipeline)
            try destination.close()
            let late = destination.takeLateCounts()
            if late.envelopesDropped > 0 {
                throw DestinationDrop(reason: .deliveryFailed, detail: "\(late.envelopesDropped) envelopes (\(late.rowsDropped) rows) not delivered to \(config.destination)")
            }
            var line = "xtcp: replayed \(summary.decode.sockets) sockets from \(replay) (\(summary.format.rawValue)) in \(summary.pipeline.envelopes) batches"
            if summary.decode.problems > 0 { line += "; \(summary.decode.problems) bad messages or attributes skipped: \(summary.decode)" }
            if summary.trailingBytes > 0 { line += "; capture truncated: \(summary.trailingBytes) trailing bytes ignored" }
            printError(line)
            return
        }
        try Privileges.current().requireForPolling()
        let level = debug ? .debug : Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { StderrLogHandler(label: $0, level: level) }
        try Daemon(config: config, logger: Logger(label: "xtcp")).run()
    }

    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

