import Destinations
import Logging
import Netlink
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// Every flag of xtcp, once: the command line's options (`Sources/xtcp`'s
/// are generated from here by `swift run xtcp-codegen`), the environment's
/// `XTCP_*` names, `-conf`'s lines and `-help`'s texts all come from this
/// table. Order is `-help`'s and `-conf`'s.
public enum FlagTable {
    public static let flags: [FlagDefinition] = sections.flatMap(\.flags)

    /// The table in its parts, titled as the man page's OPTIONS shows them.
    public static let sections: [(title: String, flags: [FlagDefinition])] = [
        ("What run", modes), ("Polling", polling), ("Namespaces", namespaces), ("Receiving", receiving),
        ("Choosing what to send", selection), ("Output", output), ("Kafka", kafka), ("Valkey", valkey), ("NATS", nats), ("HTTP", http), ("S3", s3),
        ("Stamped into every record", identity), ("Who owns each socket", enrichment), ("What an operator sees", observing), ("gRPC API", grpc),
    ]

    public static func named(_ name: String) -> FlagDefinition? { byName[name] }
    private static let byName = Dictionary(uniqueKeysWithValues: flags.map { ($0.name, $0) })

    // MARK: What run

    static let modes: [FlagDefinition] = [
        FlagDefinition("replay", environment: false, runs: .replay,
             help: "Decode a recorded dump (LINKTYPE_NETLINK pcap or pcapng, or `ss -D` file) instead of polling.") { d, v in d.replay = v.text },
        FlagDefinition("capture", environment: false, runs: .capture,
             help: "Dump this network namespace once and record the netlink traffic to a pcapng (the kernel release in its section header).") { d, v in d.capture = v.text },
        FlagDefinition("conf", .toggle, runs: .all, help: "Print the effective configuration (flags and XTCP_* environment) and exit.") { d, _ in d.conf = true },
        FlagDefinition("healthcheck", .toggle, environment: false, runs: .poll,
             help: "Ask the daemon at -promListen whether it is alive (/healthz): exit 0 if so, else 1.") { d, _ in d.healthcheck = true },
        FlagDefinition("version", .toggle, short: "v", environment: false, runs: .all, help: "Print the version and exit.") { d, _ in d.version = true },
    ]

    // MARK: Polling

    static let polling: [FlagDefinition] = [
        FlagDefinition("frequency", default: "10s", help: "Time between polls (Go duration: 500ms, 10s, 1m).",
             show: { [$0.frequency.description] }) { d, v throws(UsageError) in
            d.config.frequency = try v.duration()
            guard d.config.frequency.nanoseconds >= 10_000_000 else { throw v.fail("at least 10ms") }
        },
        FlagDefinition("timeout", help: "Longest a poll may take; dumps still running then are abandoned, and batches a blocked stdout or FIFO has not taken are dropped, each counted (default: -frequency).",
             show: { [$0.timeout.description] }) { d, v throws(UsageError) in
            let timeout = try v.duration()
            guard timeout.nanoseconds > 0 else { throw v.fail("must be more than 0") }
            d.timeout = timeout
        },
        FlagDefinition("pollJitterPct", default: "10", help: "Delay each tick by a random 0 to this percent of -frequency (0-50).",
             show: { ["\($0.pollJitterPercent)"] }) { d, v throws(UsageError) in d.config.pollJitterPercent = try v.int(0...50) },
        FlagDefinition("maxLoops", default: "0", help: "Exit after this many polls (0: run until SIGTERM, SIGINT or SIGQUIT).",
             show: { ["\($0.maxLoops)"] }) { d, v throws(UsageError) in
            guard let loops = Int(v.text), loops >= 0 else { throw v.fail("expected 0 (forever) or more") }
            d.config.maxLoops = loops
        },
        FlagDefinition("netlinkers", default: "4",
             help: "Netlinker threads, shared by every namespace, each dumping its own jobs; at most one per CPU (1-64).",
             show: { ["\($0.netlinkers)"] }) { d, v throws(UsageError) in d.config.netlinkers = try v.int(1...64) },
        FlagDefinition("cpus", help: "CPUs to plan netlinkers for (default: those of the process's affinity mask; set it lower under a CPU quota).",
             show: { ["\($0.cpus)"] }) { d, v throws(UsageError) in d.config.cpus = try v.int(1...1024) },
        FlagDefinition("nltimeout", default: "1s", runs: [.poll, .capture],
             help: "Longest wait for a netlink reply before a dump counts as stalled (Go duration).",
             show: { [$0.netlinkTimeout.description] }) { d, v throws(UsageError) in
            d.config.netlinkTimeout = try v.duration()
            guard d.config.netlinkTimeout.nanoseconds >= 1_000_000 else { throw v.fail("at least 1ms") }
        },
    ]

    // MARK: Namespaces

    static let namespaces: [FlagDefinition] = [
        FlagDefinition("namespaces", default: "all", help: "Namespaces to poll: all (every network namespace on the host) or own (the one xtcp runs in).",
             show: { [$0.namespaces.rawValue] }) { d, v throws(UsageError) in
            guard let scope = NamespaceScope(rawValue: v.text) else { throw v.fail("expected all or own") }
            d.config.namespaces = scope
        },
        FlagDefinition("netnsDirs", default: NamespaceDiscovery.defaultDirectories.joined(separator: ","),
             help: "Directories of namespace bind mounts, comma-separated (empty: none).",
             show: { [$0.netnsDirectories.joined(separator: ",")] }) { d, v throws(UsageError) in
            d.config.netnsDirectories = v.text.split(separator: ",").map(String.init)
            for directory in d.config.netnsDirectories where !directory.hasPrefix("/") {
                throw v.fail("\"\(directory)\" is not an absolute path")
            }
        },
        FlagDefinition("reconcileFrequency", default: "0s",
             help: "Also look for new and vanished namespaces this often between polls (Go duration; 0: only before each poll and on changes in -netnsDirs).",
             show: { [$0.reconcileFrequency.description] }) { d, v throws(UsageError) in
            d.config.reconcileFrequency = try v.duration()
            let nanoseconds = d.config.reconcileFrequency.nanoseconds
            guard nanoseconds == 0 || nanoseconds >= 100_000_000 else { throw v.fail("0 or at least 100ms") }
        },
        FlagDefinition("maxNamespaces", default: "1024", help: "The most namespaces polled at once (1-65536); more are left out with a warning.",
             show: { ["\($0.maxNamespaces)"] }) { d, v throws(UsageError) in d.config.maxNamespaces = try v.int(1...65536) },
    ]

    // MARK: Receiving

    static let receiving: [FlagDefinition] = [
        FlagDefinition("packetSize", default: "32768", runs: [.poll, .capture], help: "Bytes of each netlinker's receive buffer (16384-1048576).",
             show: { ["\($0.packetSize)"] }) { d, v throws(UsageError) in d.config.packetSize = try v.int(16 * 1024...1024 * 1024, unit: "bytes") },
        FlagDefinition("ioUring", .toggle, help: "Receive dumps through io_uring: -netlinkers rings shared by every namespace.",
             show: { ["\($0.ioUring)"] }) { d, _ in d.config.ioUring = true },
        FlagDefinition("ioUringRecvBatch", default: "8", help: "With -ioUring: dumps (receives) in flight per ring (1-256).",
             show: { ["\($0.ioUringWindow)"] }) { d, v throws(UsageError) in d.config.ioUringWindow = try v.int(1...256) },
        FlagDefinition("ioUringCqeBatch", default: "64", help: "With -ioUring: completions taken per reap (1-4096).",
             show: { ["\($0.ioUringCqeBatch)"] }) { d, v throws(UsageError) in d.config.ioUringCqeBatch = try v.int(1...4096) },
        FlagDefinition("ioUringMultishot", default: "true", help: "With -ioUring: one multishot receive per dump into provided buffers (Linux 6.0; true or false).",
             show: { ["\($0.ioUringMultishot)"] }) { d, v throws(UsageError) in d.config.ioUringMultishot = try v.bool() },
        FlagDefinition("ioUringFallback", default: "true", help: "With -ioUring: when no ring can be set up, receive with recvmsg (true) or exit 1 (false).",
             show: { ["\($0.ioUringFallback)"] }) { d, v throws(UsageError) in d.config.ioUringFallback = try v.bool() },
    ]

    // MARK: Choosing what to send

    static let selection: [FlagDefinition] = [
        FlagDefinition("deserializers", runs: .all, help: "Attributes to decode, comma-separated, or all (default: all but meminfo).",
             show: { ["\($0.attributes)"] }) { d, v throws(UsageError) in
            do { d.config.attributes = try DiagAttributeSet(parsing: v.text) } catch { throw v.fail("\(error)") }
        },
        FlagDefinition("replayKernel", environment: false, runs: .replay,
             help: "With -replay: the kernel release the capture was taken on (e.g. 7.0.3), which says how tcp_info's ECN word is laid out (default: the release the capture records, else 6.18's layout).",
             show: { [$0.replayKernel?.description ?? ""] }) { d, v throws(UsageError) in
            guard let release = KernelRelease(finding: v.text), !v.text.contains(" ") else { throw v.fail("expected a kernel release such as 7.0.3 or 6.18.0-1-amd64") }
            d.config.replayKernel = release
        },
        FlagDefinition("filter", runs: .all,
             help: "Report only the sockets this ss-style expression keeps, filtered by the kernel: sport/dport OP PORT, src/dst PREFIX[:PORT], and, or, not, ( ) (e.g. 'dport = :443 or sport = :443').",
             show: { [$0.filter.map(String.init(describing:)) ?? ""] }) { d, v throws(UsageError) in
            do { try d.config.setFilter(try SocketFilter(parsing: v.text)) } catch { throw v.fail("\(error)") }
        },
        FlagDefinition("states", default: "all", runs: .all,
             help: "TCP states to report, comma-separated ss names: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, or the groups all, connected, synchronized, bucket, big.",
             show: { ["\($0.states)"] }) { d, v throws(UsageError) in
            do { d.config.states = try TCPStateSet(parsing: v.text) } catch { throw v.fail("\(error)") }
            guard d.config.states.mask != 0 else { throw v.fail("no state") }
        },
        FlagDefinition("changesOnly", .toggle,
             help: "Send a socket's record only when it changed significantly since its last one (state, queues, cwnd, counters; RTT beyond -changesRttPct), with every socket every -fullEvery polls.",
             show: { ["\($0.changesOnly)"] }) { d, _ in d.config.changesOnly = true },
        FlagDefinition("fullEvery", default: "30",
             help: "With -changesOnly: every socket is sent at the first poll and every this many polls after (1-1000000), so consumers can rebuild state.",
             show: { ["\($0.fullEvery)"] }) { d, v throws(UsageError) in d.config.fullEvery = try v.int(1...1_000_000) },
        FlagDefinition("changesRttPct", default: "10", help: "With -changesOnly: an RTT that moved by more than this percent of the last one sent is a change (0-1000).",
             show: { ["\($0.changesRttPercent)"] }) { d, v throws(UsageError) in d.config.changesRttPercent = try v.int(0...1000) },
        FlagDefinition("closeEvents", .toggle,
             help: "Also send a record of each TCP socket the kernel destroys, with its last tcp_info (record_kind CLOSE): connections shorter than -frequency are not missed.",
             show: { ["\($0.closeEvents)"] }) { d, _ in d.config.closeEvents = true },
        FlagDefinition("closeEventsBuffer", default: "8388608",
             help: "With -closeEvents: bytes of each namespace's receive buffer for them, which absorbs bursts of closes (65536-1073741824).",
             show: { ["\($0.closeEventsBuffer)"] }) { d, v throws(UsageError) in
            d.config.closeEventsBuffer = try v.int(65536...1_073_741_824, unit: "bytes")
        },
    ]

    // MARK: Output

    static let output: [FlagDefinition] = [
        FlagDefinition("dest", default: "stdout", runs: [.poll, .replay],
             help: "Destination: stdout, stderr, null, file:PATH, udp:HOST:PORT, tcp:HOST:PORT, unix:PATH, unixgram:PATH, valkey:HOST:PORT (or redis:), nats:nats://HOST:PORT, http(s)://HOST[:PORT]/PATH, s3: (objects in a bucket, the -s3 flags) or kafka:HOST:PORT[,HOST:PORT...].",
             show: { ["\($0.destination)"] }) { d, v throws(UsageError) in
            do { d.config.destination = try DestinationSpec(parsing: v.text) } catch let error as DestinationSpec.ParseError {
                throw UsageError("\(v.display): \(error.why)")
            } catch { throw v.fail("\(error)") }
        },
        FlagDefinition("marshal", runs: [.poll, .replay],
             help: "Output format: \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default: jsonl to stdout, protobufList elsewhere).",
             show: { [$0.marshal.rawValue] }) { d, v throws(UsageError) in
            guard let format = MarshalFormat(rawValue: v.text) else {
                throw v.fail("expected one of \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            d.marshal = format
        },
        FlagDefinition("columns", runs: [.poll, .replay],
             help: "With -marshal csv or tsv: the record fields to write, by proto name, comma-separated, in order (default: every field).",
             show: { [$0.columns.names.joined(separator: ",")] }) { d, v throws(UsageError) in
            do { d.config.columns = try RecordColumns(names: v.text) } catch { throw v.fail("\(error)") }
        },
        FlagDefinition("envelopeFlushRows", default: "10000", runs: [.poll, .replay], help: "Flush an envelope at this many rows.",
             show: { ["\($0.envelopeFlushRows)"] }) { d, v throws(UsageError) in
            guard let rows = Int(v.text), rows >= 1 else { throw v.fail("must be at least 1") }
            d.config.envelopeFlushRows = rows
        },
        FlagDefinition("envelopeFlushBytes", runs: [.poll, .replay], help: "Flush an envelope at this many bytes (default: 786432; 60000 with -dest udp: or unixgram:).",
             show: { ["\($0.envelopeFlushBytes)"] }) { d, v throws(UsageError) in
            guard let bytes = Int(v.text) else { throw v.fail("expected a whole number") }
            d.envelopeFlushBytes = (bytes, v.display)
        },
    ]

    // MARK: NATS

    static let nats: [FlagDefinition] = [
        FlagDefinition("natsJetStream", .toggle, runs: [.poll, .replay],
             help: "With -dest nats: publish to JetStream (a stream must take the subject -topic) and count an envelope delivered only on the stream's ack.",
             show: { ["\($0.natsJetStream)"] }) { d, _ in d.config.natsJetStream = true },
    ]

    // MARK: HTTP

    static let http: [FlagDefinition] = [
        FlagDefinition("httpCAFile", runs: [.poll, .replay],
             help: "With -dest https: the PEM certificates the server's is checked against, in place of the system's (a private CA).",
             show: { [$0.httpCAFile ?? ""] }) { d, v throws(UsageError) in
            // Opened to check it can be read (O_RDONLY is 0); libcurl reads it at start.
            guard v.text.hasPrefix("/"), (try? Syscall.open(path: v.text, flags: 0)) != nil else { throw v.fail("needs a readable file, by its absolute path") }
            d.config.httpCAFile = v.text
        },
    ]

    // MARK: S3

    static let s3: [FlagDefinition] = [
        FlagDefinition("s3Endpoint", default: "https://s3.amazonaws.com", runs: [.poll, .replay],
             help: "With -dest s3: the service's URL (http:// or https://); objects are addressed path-style, ENDPOINT/BUCKET/KEY.",
             show: { [$0.s3.endpoint] }) { d, v throws(UsageError) in
            guard v.text.hasPrefix("http://") || v.text.hasPrefix("https://"), v.text.count > 8, !v.text.contains("@"),
                  v.text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { throw v.fail("expected http(s)://HOST[:PORT], without user:password@") }
            d.config.s3.endpoint = v.text
        },
        FlagDefinition("s3Bucket", default: "", runs: [.poll, .replay], help: "With -dest s3: the bucket (needed).",
             show: { [$0.s3.bucket] }) { d, v throws(UsageError) in
            guard v.text.isEmpty || (3...63).contains(v.text.count) && v.text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || ".-".contains($0)) })
            else { throw v.fail("a bucket name is 3 to 63 of a-z 0-9 . -") }
            d.config.s3.bucket = v.text
        },
        FlagDefinition("s3Prefix", default: "xtcp", runs: [.poll, .replay],
             help: "With -dest s3: the keys' first part, PREFIX/host=H/date=YYYY-MM-DD/hour=HH/UNIX_RANDOM.EXT (empty: none).",
             show: { [$0.s3.prefix] }) { d, v throws(UsageError) in
            guard !v.text.hasPrefix("/"), !v.text.hasSuffix("/"), v.text.utf8.count <= 512, v.text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\\" })
            else { throw v.fail("no slash at either end, at most 512 ASCII characters, no spaces") }
            d.config.s3.prefix = v.text
        },
        FlagDefinition("s3Region", default: "us-east-1", runs: [.poll, .replay], help: "With -dest s3: the region requests are signed for (SigV4).",
             show: { [$0.s3.region] }) { d, v throws(UsageError) in
            guard !v.text.isEmpty, v.text.count <= 64, v.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { throw v.fail("expected a region, us-east-1") }
            d.config.s3.region = v.text
        },
        FlagDefinition("s3AccessKey", default: "", runs: [.poll, .replay], help: "With -dest s3: the access key ID (needed; its secret comes from -s3SecretKeyFile).",
             show: { [$0.s3.accessKey] }) { d, v throws(UsageError) in
            guard v.text.count <= 128, v.text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ":" }) else { throw v.fail("an access key ID is up to 128 ASCII characters, no spaces or colons") }
            d.config.s3.accessKey = v.text
        },
        FlagDefinition("s3SecretKeyFile", runs: [.poll, .replay],
             help: "With -dest s3: a file holding the secret access key (needed; mode 0600 or 0640, owned by root or xtcp's user; never on the command line).",
             show: { [$0.s3SecretKeyFile ?? ""] }) { d, v throws(UsageError) in
            let text: String
            do { text = try SecretFile.text(path: v.text) } catch { throw v.fail("\(error)") }
            let secret = String(text.filter { !$0.isWhitespace })
            guard !secret.isEmpty else { throw v.fail("the file is empty") }
            d.config.s3.secretKey = secret
            d.config.s3SecretKeyFile = v.text
        },
        FlagDefinition("s3SkipBucketProbe", .toggle, runs: [.poll, .replay],
             help: "With -dest s3: do not check at start that the bucket answers (HEAD; by default a missing bucket or a refused key ends the start, exit 3).",
             show: { ["\($0.s3.skipBucketProbe)"] }) { d, _ in d.config.s3.skipBucketProbe = true },
        FlagDefinition("s3FlushBytes", default: "16777216", runs: [.poll, .replay],
             help: "With -dest s3: an object is uploaded once it holds this many bytes (65536-1073741824), or is -s3FlushInterval old.",
             show: { ["\($0.s3.flushBytes)"] }) { d, v throws(UsageError) in d.config.s3.flushBytes = try v.int(65536...1_073_741_824) },
        durationFlag("s3FlushInterval", default: "60s", least: "1ms", help: "With -dest s3: an object is uploaded once it is this old (Go duration), or holds -s3FlushBytes.",
                     \.s3.flushInterval),
        FlagDefinition("s3FlushJitterPct", default: "10", runs: [.poll, .replay],
             help: "With -dest s3: each object's -s3FlushInterval drawn from within this many percent of it (0-50), so hosts do not upload together.",
             show: { ["\($0.s3.flushJitterPercent)"] }) { d, v throws(UsageError) in d.config.s3.flushJitterPercent = try v.int(0...50) },
        FlagDefinition("s3FlushThresholdJitterPct", default: "10", runs: [.poll, .replay],
             help: "With -dest s3: each object's -s3FlushBytes drawn from within this many percent of it (0-50).",
             show: { ["\($0.s3.flushThresholdJitterPercent)"] }) { d, v throws(UsageError) in d.config.s3.flushThresholdJitterPercent = try v.int(0...50) },
        FlagDefinition("s3UploadMaxAttempts", default: "5", runs: [.poll, .replay],
             help: "With -dest s3: tries per object (1-100) before it is dropped; retried: no answer, 5xx, 408, 429.",
             show: { ["\($0.s3.uploadMaxAttempts)"] }) { d, v throws(UsageError) in d.config.s3.uploadMaxAttempts = try v.int(1...100) },
        durationFlag("s3UploadBackoffCap", default: "30s", least: "1ms",
                     help: "With -dest s3: the longest wait between tries (0.5s doubling up to it, each drawn from 0 to it: full jitter).", \.s3.uploadBackoffCap),
        FlagDefinition("s3QueueObjects", default: "4", runs: [.poll, .replay],
             help: "With -dest s3: objects that may wait for their upload (1-64); one more is dropped, counted 'queue full'. Memory: about (this + 1) x -s3FlushBytes.",
             show: { ["\($0.s3.queueObjects)"] }) { d, v throws(UsageError) in d.config.s3.queueObjects = try v.int(1...64) },
        FlagDefinition("s3Compression", default: "zstd", runs: [.poll, .replay],
             help: "With -dest s3: zstd or none; a protobufList (or text) object is compressed whole (KEY.pb.zst), Parquet's pages one by one.",
             show: { [$0.s3.compression.name] }) { d, v throws(UsageError) in
            guard let codec = ParquetSchema.Codec.allCases.first(where: { $0.name == v.text }) else { throw v.fail("expected zstd or none") }
            d.config.s3.compression = codec
        },
    ]

    // MARK: Valkey

    static let valkey: [FlagDefinition] = [
        FlagDefinition("valkeyStream", .toggle, runs: [.poll, .replay],
             help: "With -dest valkey: XADD each envelope to the stream -topic (capped, which consumers read at their own pace) instead of PUBLISH to the channel -topic.",
             show: { ["\($0.valkey.stream)"] }) { d, _ in d.config.valkey.stream = true },
        FlagDefinition("valkeyStreamMaxLen", default: "100000", runs: [.poll, .replay],
             help: "With -valkeyStream: the stream's length cap, MAXLEN ~ N of each XADD (1-1000000000).",
             show: { ["\($0.valkey.streamMaxLength)"] }) { d, v throws(UsageError) in d.config.valkey.streamMaxLength = try v.int(1...1_000_000_000) },
    ]

    // MARK: Kafka

    static let kafka: [FlagDefinition] = [
        FlagDefinition("topic", default: "xtcp", runs: [.poll, .replay], help: "Kafka topic; with -dest valkey: the channel (or with -valkeyStream the stream); with -dest nats: the subject.", show: { [$0.kafka.topic] }) { d, v throws(UsageError) in
            guard !v.text.isEmpty, v.text.count <= 249, v.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
            else { throw v.fail("1 to 249 of a-z A-Z 0-9 . _ -") }
            d.config.kafka.topic = v.text
        },
        FlagDefinition("kafkaCompression", default: "lz4", runs: [.poll, .replay], help: "Kafka compression: lz4, zstd or none.",
             show: { [$0.kafka.compression.rawValue] }) { d, v throws(UsageError) in
            guard let compression = KafkaCompression(rawValue: v.text) else { throw v.fail("expected lz4, zstd or none") }
            d.config.kafka.compression = compression
        },
        FlagDefinition("kafkaQueueKBytes", default: "16384", runs: [.poll, .replay],
             help: "KiB of envelopes Kafka may hold undelivered (bounds memory; 1024-2097151).",
             show: { ["\($0.kafka.queueKBytes)"] }) { d, v throws(UsageError) in d.config.kafka.queueKBytes = try v.int(1024...2_097_151) },
        durationFlag("kafkaMessageTimeout", default: "60s", least: "1ms", help: "How long Kafka retries an envelope before dropping it (Go duration).",
                      \.kafka.messageTimeout),
        durationFlag("kafkaQueueFullWait", default: "1s", least: "0s",
                      help: "How long a full Kafka queue may hold a netlinker before the envelope is dropped.", \.kafka.queueFullWait),
        durationFlag("kafkaFlushTimeout", default: "3s", least: "0s", help: "How long shutdown waits for Kafka deliveries.", \.kafka.flushTimeout),
        durationFlag("kafkaStartTimeout", default: "10s", least: "0s",
                      help: "How long the start waits to reach a Kafka broker (exit 3 if none answers); 0s: do not wait, poll and deliver once one answers.",
                      \.kafka.startTimeout),
        FlagDefinition("kafkaPropertyFile", runs: [.poll, .replay],
             help: "A file of librdkafka properties, key=value a line (# comments): SASL and TLS secrets kept out of argv; mode 0600 or 0640, owned by root or xtcp's user. -kafkaProperty flags apply after it.",
             show: { [$0.kafka.propertyFile ?? ""] }) { d, v throws(UsageError) in
            let text: String
            do { text = try SecretFile.text(path: v.text) } catch { throw v.fail("\(error)") }
            do throws(DestinationSpec.ParseError) { d.config.kafka.fileProperties = try KafkaSettings.Property.parse(file: text, path: v.text) } catch { throw v.fail("\(error.text): \(error.why)") }
            d.config.kafka.propertyFile = v.text
        },
        FlagDefinition("kafkaProperty", .repeatable, environment: false, runs: [.poll, .replay],
             help: "A librdkafka property, key=value (repeatable): TLS, SASL, client.id, ...",
             show: { $0.kafka.properties.map(\.description) }) { d, v throws(UsageError) in
            do { d.config.kafka.properties.append(try KafkaSettings.Property(parsing: v.text)) } catch {
                throw UsageError("-kafkaProperty \(error)")
            }
        },
    ]

    /// A Go duration from `least` (0s or 1ms) to 1h.
    static func durationFlag(_ name: String, default value: String, least: String, help: String,
                             _ field: WritableKeyPath<DaemonConfig, Duration> & Sendable) -> FlagDefinition {
        FlagDefinition(name, default: value, runs: [.poll, .replay], help: help, show: { [$0[keyPath: field].goSpelling] }) { d, v throws(UsageError) in
            let duration = try v.duration()
            let floor = least == "1ms" ? Int64(1_000_000) : 0
            guard duration.nanoseconds >= floor, duration.nanoseconds <= 3_600_000_000_000 else { throw v.fail("expected \(least) to 1h") }
            d.config[keyPath: field] = duration.duration
        }
    }

    // MARK: Stamped into every record

    static let identity: [FlagDefinition] = [
        FlagDefinition("hostname", runs: [.poll, .replay], help: "Hostname stamped into records (default: this host's).",
             show: { [$0.identity.hostname] }) { d, v in d.hostname = v.text },
        FlagDefinition("location", default: "", runs: [.poll, .replay], help: "Location stamped into records.",
             show: { [$0.identity.location] }) { d, v in d.config.identity.location = v.text },
        FlagDefinition("label", default: "", runs: [.poll, .replay], help: "Label stamped into records.",
             show: { [$0.identity.label] }) { d, v in d.config.identity.label = v.text },
        FlagDefinition("tag", default: "", runs: [.poll, .replay], help: "Tag stamped into records.",
             show: { [$0.identity.tag] }) { d, v in d.config.identity.tag = v.text },
    ]

    // MARK: Who owns each socket

    static let enrichment: [FlagDefinition] = [
        FlagDefinition("resolveContainerId", default: "true",
             help: "Fill each socket's container_id, container_runtime, pod_uid and pod_qos_class from its cgroup, as Docker, containerd, CRI-O, podman and the kubelet name them (true or false; e.g. -resolveContainerId false).",
             show: { ["\($0.resolveContainerID)"] }) { d, v throws(UsageError) in d.config.resolveContainerID = try v.bool() },
        FlagDefinition("enrichNic", default: "true",
             help: "Fill the uplink1_nic_* and uplink2_nic_* columns (driver, bus, firmware, speed, PCI ids and model) of the uplinks, read at start and on link or route changes (true or false; e.g. -enrichNic false).",
             show: { ["\($0.enrichNIC)"] }) { d, v throws(UsageError) in d.config.enrichNIC = try v.bool() },
        FlagDefinition("uplinkInterfaces", default: "",
             help: "The uplinks, comma-separated, in column order (default: the interfaces of the IPv4 and IPv6 default routes; e.g. -uplinkInterfaces eth0,eth1).",
             show: { [$0.uplinkInterfaces.joined(separator: ",")] }) { d, v throws(UsageError) in
            let names = v.text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard v.text.isEmpty || names.allSatisfy({ !$0.isEmpty && $0.utf8.count < 16 && !$0.contains("/") && !$0.contains(" ") }) else {
                throw v.fail("expected interface names (1 to 15 characters, no / or space), comma-separated")
            }
            d.config.uplinkInterfaces = v.text.isEmpty ? [] : names
        },
        FlagDefinition("uplinkCount", default: "2", help: "How many uplinks the records describe, in uplink1_* and uplink2_* (0-2; e.g. -uplinkCount 1).",
             show: { ["\($0.uplinkCount)"] }) { d, v throws(UsageError) in d.config.uplinkCount = try v.int(0...2) },
        FlagDefinition("enrichLldp", default: "true",
             help: "Fill the uplink1_lldp_* and uplink2_lldp_* columns (the switch and port at each uplink's far end) from lldpd, read at start and on its change notifications; nothing is tried while -lldpdSocket does not exist (true or false; e.g. -enrichLldp false).",
             show: { ["\($0.enrichLLDP)"] }) { d, v throws(UsageError) in d.config.enrichLLDP = try v.bool() },
        FlagDefinition("lldpdSocket", default: "/run/lldpd.socket", help: "lldpd's control socket (lldpd -u; e.g. -lldpdSocket /run/lldpd.socket).",
             show: { [$0.lldpdSocket] }) { d, v throws(UsageError) in d.config.lldpdSocket = try unixSocketPath(v) },
        FlagDefinition("enrichContainer", default: "true",
             help: "Fill container_name and container_image from Docker's Engine API on -dockerSocket, listed at start and kept fresh from its events; nothing is tried while the socket does not exist (true or false; e.g. -enrichContainer false).",
             show: { ["\($0.enrichContainer)"] }) { d, v throws(UsageError) in d.config.enrichContainer = try v.bool() },
        FlagDefinition("dockerSocket", default: "/run/docker.sock", help: "The Docker Engine API's unix socket (e.g. -dockerSocket /var/run/docker.sock).",
             show: { [$0.dockerSocket] }) { d, v throws(UsageError) in d.config.dockerSocket = try unixSocketPath(v) },
    ]

    /// An absolute path that fits a unix socket's address.
    private static func unixSocketPath(_ v: FlagValue) throws(UsageError) -> String {
        guard v.text.hasPrefix("/"), v.text.utf8.count < 108, !v.text.utf8.contains(0) else {
            throw v.fail("expected an absolute path of a unix socket, under 108 bytes")
        }
        return v.text
    }

    // MARK: What an operator sees

    static let observing: [FlagDefinition] = [
        FlagDefinition("promListen", default: "127.0.0.1:9088",
             help: "HOST:PORT of the HTTP listener for metrics and health (loopback unless said; off: none).",
             show: { [$0.promListen ?? "off"] }) { d, v throws(UsageError) in
            d.config.promListen = ["", "off"].contains(v.text) ? nil : v.text
            if let address = d.config.promListen, ListenAddress(address) == nil { throw v.fail("expected HOST:PORT, [V6]:PORT, :PORT or off") }
        },
        FlagDefinition("promPath", default: "/metrics", help: "The path of the Prometheus metrics on -promListen.",
             show: { [$0.promPath] }) { d, v throws(UsageError) in
            guard v.text.hasPrefix("/"), !["/healthz", "/readyz"].contains(v.text) else {
                throw v.fail("expected a path starting with / other than /healthz and /readyz")
            }
            d.config.promPath = v.text
        },
        FlagDefinition("logLevel", default: "info", runs: .all,
             help: "Least severe log level written: trace, debug, info (a line per poll), notice, warning, error or critical.",
             show: { [$0.logLevel.rawValue] }) { d, v throws(UsageError) in
            guard let level = Logger.Level(rawValue: v.text) else {
                throw v.fail("expected one of \(StderrLogHandler.levelNames.joined(separator: ", "))")
            }
            d.config.logLevel = level
        },
        FlagDefinition("logFormat", default: "text", runs: .all,
             help: "How log lines are written: text (the message first, as today), json or logfmt (a timestamp, the level and the poll line's counts as fields).",
             show: { [$0.logFormat.rawValue] }) { d, v throws(UsageError) in
            guard let format = LogFormat(rawValue: v.text) else { throw v.fail("expected text, json or logfmt") }
            d.config.logFormat = format
        },
        FlagDefinition("d", .toggle, short: "d", environment: false, runs: .all,
             help: "Debug logging (-logLevel debug): the configuration at start, every HTTP request.") { d, _ in d.debug = true },
        FlagDefinition("profile.mode", default: "none",
             help: "cpu: profile the whole run's CPU and write it to -profile.path at the end (pprof format); none: do not.",
             show: { [$0.profileWholeRun ? "cpu" : "none"] }) { d, v throws(UsageError) in
            guard ["none", "cpu"].contains(v.text) else { throw v.fail("expected none or cpu") }
            d.config.profileWholeRun = v.text == "cpu"
        },
        FlagDefinition("profile.path", default: "xtcp-cpu.pb.gz",
             help: "Where -profile.mode cpu writes its profile (gzipped profile.proto, for go tool pprof).",
             show: { [$0.profilePath] }) { d, v throws(UsageError) in
            guard !v.text.isEmpty else { throw v.fail("expected a file path") }
            d.config.profilePath = v.text
        },
    ]

    // MARK: gRPC API

    static let grpc: [FlagDefinition] = [
        FlagDefinition("grpcListen", default: "127.0.0.1:8889",
             help: "HOST:PORT of the gRPC API (xtcp2's ConfigService and XTCPFlatRecordService, health, reflection); loopback unless said; off: none.",
             show: { [$0.grpc.listen ?? "off"] }) { d, v throws(UsageError) in
            d.config.grpc.listen = ["", "off"].contains(v.text) ? nil : v.text
            if let address = d.config.grpc.listen, ListenAddress(address) == nil { throw v.fail("expected HOST:PORT, [V6]:PORT, :PORT or off") }
        },
        FlagDefinition("grpcPort", help: "xtcp2's flag: the same as -grpcListen 127.0.0.1:PORT.") { d, v throws(UsageError) in
            _ = try v.int(1...65535)
        },
        FlagDefinition("grpcTLSCert", help: "A PEM certificate chain: the gRPC API speaks TLS (with -grpcTLSKey).",
             show: { [$0.grpc.tlsCertificate ?? ""] }) { d, v throws(UsageError) in
            d.config.grpc.tlsCertificate = try readableFile(v)
        },
        FlagDefinition("grpcTLSKey", help: "The PEM private key of -grpcTLSCert (mode 0600 or 0640, owned by root or xtcp's user).",
             show: { [$0.grpc.tlsKey ?? ""] }) { d, v throws(UsageError) in
            do { _ = try SecretFile.text(path: v.text) } catch { throw v.fail("\(error)") }
            d.config.grpc.tlsKey = v.text
        },
        FlagDefinition("grpcToken", help: "A bearer token every gRPC call must carry (authorization: Bearer TOKEN); better from XTCP_GRPCTOKEN or -grpcTokenFile than on the command line, where ps shows it.",
             show: { [$0.grpc.token == nil ? "" : "(redacted)"] }) { d, v throws(UsageError) in
            guard !v.text.isEmpty, !v.text.contains(where: { $0.isWhitespace }) else { throw v.fail("expected a token without spaces") }
            d.config.grpc.token = v.text
        },
        // -conf shows the token's presence under -grpcToken.
        FlagDefinition("grpcTokenFile", help: "A file holding -grpcToken's token (mode 0600 or 0640, owned by root or xtcp's user).") { d, v throws(UsageError) in
            let text: String
            do { text = try SecretFile.text(path: v.text) } catch { throw v.fail("\(error)") }
            let token = String(text.filter { !$0.isWhitespace })
            guard !token.isEmpty else { throw v.fail("the file is empty") }
            d.config.grpc.token = token
        },
        FlagDefinition("grpcStreamQueueBytes", default: "8388608",
             help: "Bytes of records each FlatRecords client may have waiting (one envelope at least); a client that reads slower loses what does not fit, counted, and never slows polling (65536-1073741824).",
             show: { ["\($0.grpc.streamQueueBytes)"] }) { d, v throws(UsageError) in
            d.config.grpc.streamQueueBytes = try v.int(65536...1 << 30)
        },
    ]

    /// A file this process can open for reading.
    private static func readableFile(_ v: FlagValue) throws(UsageError) -> String {
        do { _ = try Syscall.open(path: v.text, flags: O_RDONLY) } catch { throw v.fail(Errno.describe(error.errno)) }
        return v.text
    }
}
