import Benchmark
import Destinations
import Netlink
import RecordFmt
import XTCP
#if canImport(Glibc)
import Glibc
#endif

/// Whole polls of the namespace the benchmark runs in (scripts/poll-benchmark.sh
/// runs it inside a namespace holding a loopback farm), next to the kernel's
/// floor measured in the same run:
///
/// - `Poll_floor`: one thread dumps both families on one socket with xtcp's
///   request, receives every datagram and discards it. What the kernel costs.
/// - `Poll_null_netlinkersN`: the daemon's poll (DumpPoller) with N
///   netlinkers, decoding and encoding every socket, envelopes to `null`.
/// - `Poll_kafka_netlinkers4`: the same into Kafka (the mock broker at
///   $XTCP_BENCH_KAFKA), each iteration waiting until the broker has
///   acknowledged every envelope: the poll's whole cost.
///
/// Each iteration is one poll; `sockets per poll` says how many it saw.
/// CPU time is read with getrusage around each poll (all threads, in µs):
/// package-benchmark's own CPU metrics count 10 ms scheduler ticks.
///
/// Mallocs are counted by separate `_mallocs` runs without the RSS and
/// thread metrics: those start package-benchmark's sampling thread, which
/// allocates every 5 ms and so would add mallocs in proportion to the
/// poll's duration.
enum PollMetric {
    static let sockets = BenchmarkMetric.custom("sockets per poll", polarity: .prefersLarger, useScalingFactor: false)
    static let cpuUser = BenchmarkMetric.custom("CPU user ns", useScalingFactor: false)
    static let cpuSystem = BenchmarkMetric.custom("CPU system ns", useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, .threads, PollMetric.sockets, PollMetric.cpuUser, PollMetric.cpuSystem],
        warmupIterations: 2,
        maxDuration: .seconds(15),
        maxIterations: 25
    )
    let mallocs = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, PollMetric.sockets], warmupIterations: 2, maxDuration: .seconds(5), maxIterations: 10)
    for (suffix, configuration) in [("", Benchmark.defaultConfiguration), ("_mallocs", mallocs)] {
        registerFloor(name: "Poll_floor" + suffix, configuration: configuration, ring: nil)
        for netlinkers in suffix.isEmpty ? [1, 2, 4] : [4] {
            registerPoll(name: "Poll_null_netlinkers\(netlinkers)" + suffix, configuration: configuration,
                         netlinkers: netlinkers, destination: .null)
        }
        // The same polls through io_uring rings: one multishot receive per
        // dump (the default), and one receive per datagram.
        registerPoll(name: "Poll_uring_null_netlinkers4" + suffix, configuration: configuration,
                     netlinkers: 4, ioUring: true, destination: .null)
        registerPoll(name: "Poll_uring1_null_netlinkers4" + suffix, configuration: configuration,
                     netlinkers: 4, ioUring: true, multishot: false, destination: .null)
        if suffix.isEmpty {
            // The receive loop alone through a ring, both ways.
            registerFloor(name: "Poll_floor_uring", configuration: configuration, ring: .perDatagram)
            registerFloor(name: "Poll_floor_uring_multishot", configuration: configuration, ring: .multishot)
            // 4 netlinkers over 4 shards whatever the CPUs (-cpus 4): what
            // the one-per-CPU cap saves on a smaller machine.
            registerPoll(name: "Poll_null_netlinkers4_uncapped", configuration: configuration,
                         netlinkers: 4, cpus: 4, destination: .null)
        }
        if suffix.isEmpty {
            // A -filter keeping about 1 % of the loopback farm (the sockets
            // whose client port is in 1024-1809, of 1024-65000): what the
            // kernel saves by skipping the rest.
            registerFloor(name: "Poll_floor_filter1pct", configuration: configuration, ring: nil, filter: onePercentFilter)
            registerPoll(name: "Poll_null_netlinkers4_filter1pct", configuration: configuration,
                         netlinkers: 4, destination: .null, filter: onePercentFilter)
            // -changesOnly on the idle farm: after the first poll, every
            // socket is looked up and found unchanged (no full snapshot).
            registerPoll(name: "Poll_null_netlinkers4_changesOnly", configuration: configuration,
                         netlinkers: 4, destination: .null, changesOnly: true)
        }
        // -resolveContainerId false: what looking up each socket's owner
        // by its cgroup costs (every other poll has it on, the default).
        registerPoll(name: "Poll_null_netlinkers4_ownersOff" + suffix, configuration: configuration,
                     netlinkers: 4, destination: .null, resolveContainerID: false)
        if suffix.isEmpty {
            // Each output format against protobufList into null, and the
            // stream destinations into a reader that discards (in process:
            // `StreamDrain`), the poll waiting for the reader to take all.
            for format in [MarshalFormat.jsonl, .csv, .tsv, .msgpack] {
                registerPoll(name: "Poll_null_netlinkers4_\(format.rawValue)", configuration: configuration,
                             netlinkers: 4, destination: .null, marshal: format)
            }
            registerPoll(name: "Poll_tcp_netlinkers4", configuration: configuration, netlinkers: 4, destination: .tcp(host: "127.0.0.1", port: 0))
            registerPoll(name: "Poll_unix_netlinkers4", configuration: configuration, netlinkers: 4, destination: .unix(path: "@xtcp-bench-drain"))
            // A redis-server at $XTCP_BENCH_VALKEY (host:port): PUBLISH with
            // no subscriber, and XADD to a stream capped at 50 envelopes.
            if let server = getenv("XTCP_BENCH_VALKEY").map({ String(cString: $0) }), let spec = try? DestinationSpec(parsing: "valkey:" + server) {
                registerPoll(name: "Poll_valkey_netlinkers4", configuration: configuration, netlinkers: 4, destination: spec)
                registerPoll(name: "Poll_valkey_stream_netlinkers4", configuration: configuration, netlinkers: 4, destination: spec, valkeyStream: true)
            }
            // A nats-server at $XTCP_BENCH_NATS (host:port) with JetStream
            // and a stream XTCP_BENCH (50 messages kept) on the subject
            // xtcp-bench; an HTTP server at $XTCP_BENCH_HTTP (a URL).
            if let server = getenv("XTCP_BENCH_NATS").map({ String(cString: $0) }), let spec = try? DestinationSpec(parsing: "nats:nats://" + server) {
                registerPoll(name: "Poll_nats_netlinkers4", configuration: configuration, netlinkers: 4, destination: spec)
                registerPoll(name: "Poll_nats_jetstream_netlinkers4", configuration: configuration, netlinkers: 4, destination: spec, natsJetStream: true)
            }
            if let url = getenv("XTCP_BENCH_HTTP").map({ String(cString: $0) }), let spec = try? DestinationSpec(parsing: url) {
                registerPoll(name: "Poll_http_netlinkers4", configuration: configuration, netlinkers: 4, destination: spec)
            }
            // An S3 server (SeaweedFS) at $XTCP_BENCH_S3 (a URL) with the
            // bucket xtcp-bench and the key xtcp-bench/xtcp-bench-secret:
            // protobufList objects (zstd) and Parquet ones.
            if let endpoint = getenv("XTCP_BENCH_S3").map({ String(cString: $0) }) {
                var s3 = S3Settings()
                s3.endpoint = endpoint
                s3.bucket = "xtcp-bench"
                s3.accessKey = "xtcp-bench"
                s3.secretKey = "xtcp-bench-secret"
                s3.hostname = "bench"
                registerPoll(name: "Poll_s3_netlinkers4", configuration: configuration, netlinkers: 4, destination: .s3, s3: s3)
                registerPoll(name: "Poll_s3_parquet_netlinkers4", configuration: configuration, netlinkers: 4, destination: .s3, marshal: .parquet, s3: s3)
            }
        }
        if let brokers = getenv("XTCP_BENCH_KAFKA").map({ String(cString: $0) }) {
            registerPoll(name: "Poll_kafka_netlinkers4" + suffix, configuration: configuration,
                         netlinkers: 4, destination: .kafka(brokers: brokers))
        }
    }
}

/// Per-iteration CPU and wall times of each benchmark, kept so that the
/// report can use medians: on this shared machine a p90 is often one noisy
/// iteration. Written by `PollSamples.write` at each benchmark's end to
/// $XTCP_BENCH_SAMPLES/NAME.samples.json when that is set.
final class PollSamples: @unchecked Sendable {  // touched by the benchmark's thread only
    nonisolated(unsafe) static var byBenchmark: [String: [String: [Int]]] = [:]

    static func add(_ name: String, _ key: String, _ value: Int) { byBenchmark[name, default: [:]][key, default: []].append(value) }

    /// Writes every sample so far of benchmark `name` (package-benchmark
    /// calls the closure once per iteration: the last write has them all).
    static func write(name: String) {
        guard let dir = getenv("XTCP_BENCH_SAMPLES").map({ String(cString: $0) }), let current = byBenchmark[name] else { return }
        let body = current.keys.sorted().map { key in "\"\(key)\": [\(current[key]!.map(String.init).joined(separator: ","))]" }
        let text = "{" + body.joined(separator: ", ") + "}\n"
        guard let file = fopen("\(dir)/\(name).samples.json", "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}

/// The process's CPU time (every thread) spent in `work`, recorded as the
/// iteration's CPU metrics.
enum CPUTime {
    static func now() -> (user: Int, system: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func ns(_ t: timeval) -> Int { t.tv_sec * 1_000_000_000 + t.tv_usec * 1000 }
        return (ns(usage.ru_utime), ns(usage.ru_stime))
    }

    static func measure<R>(_ benchmark: Benchmark, _ work: () throws -> R) rethrows -> R {
        let clock = ContinuousClock()
        let start = now()
        let began = clock.now
        let result = try work()
        let wall = clock.now - began
        let end = now()
        benchmark.measurement(PollMetric.cpuUser, end.user - start.user)
        benchmark.measurement(PollMetric.cpuSystem, end.system - start.system)
        // Not in the malloc-counting runs: keeping samples allocates.
        if !benchmark.name.hasSuffix("_mallocs") {
            PollSamples.add(benchmark.name, "cpuUser", end.user - start.user)
            PollSamples.add(benchmark.name, "cpuSystem", end.system - start.system)
            PollSamples.add(benchmark.name, "wall", Int(wall.components.seconds * 1_000_000_000 + wall.components.attoseconds / 1_000_000_000))
        }
        return result
    }
}

/// The daemon's poller and destination, made in the benchmark's setup so
/// that only the benchmark that runs starts threads or connects.
final class PollRig: @unchecked Sendable {  // used by the benchmark's thread only
    var poller: (any PollerSet)?
    var destination: (any Destination)?
    var template = FlatRecord()
    var drain: StreamDrain?
    var sequence: UInt64 = 0
}

let onePercentFilter = "( sport >= :1024 and sport < :1810 ) or ( dport >= :1024 and dport < :1810 )"

/// The kernel's floor (`DumpFloor`), received with recv(2) or through a ring.
func registerFloor(name: String, configuration: Benchmark.Configuration, ring: DumpFloor.Ring?, filter: String? = nil) {
    Benchmark(name, configuration: configuration) { benchmark in
        let floor = try DumpFloor(ring: ring, bytecode: try filter.map { try FilterBytecode.compile(try SocketFilter(parsing: $0)) })
        for _ in benchmark.scaledIterations {
            let sockets = try CPUTime.measure(benchmark) { try floor.dump() }
            benchmark.measurement(PollMetric.sockets, sockets)
        }
        PollSamples.write(name: benchmark.name)
    }
}

func registerPoll(name: String, configuration: Benchmark.Configuration, netlinkers: Int, cpus: Int? = nil,
                  ioUring: Bool = false, multishot: Bool = true, destination spec: DestinationSpec, filter: String? = nil,
                  changesOnly: Bool = false, resolveContainerID: Bool = true, marshal: MarshalFormat = .protobufList,
                  valkeyStream: Bool = false, natsJetStream: Bool = false, s3: S3Settings? = nil) {
    let rig = PollRig()
    Benchmark(name, configuration: configuration) { benchmark in
        guard let poller = rig.poller, let destination = rig.destination else { return }
        for _ in benchmark.scaledIterations {
            rig.sequence += 1
            rig.template.pollSequence = rig.sequence
            let (counts, problems) = CPUTime.measure(benchmark) {
                let outcome = poller.poll(PollTicket(deadline: .now + .seconds(60), template: rig.template))
                if let kafka = destination as? KafkaDestination {
                    while kafka.queueLength > 0 { usleep(200) }
                }
                if let stream = destination as? StreamDestination {
                    while stream.unsettledBatches > 0 { usleep(200) }
                }
                return outcome
            }
            precondition(problems.isEmpty && counts.dumpsIncomplete == 0, "poll incomplete: \(problems)")
            benchmark.measurement(PollMetric.sockets, Int(counts.sockets))
        }
        let late = destination.takeLateCounts()
        precondition(late.envelopesDropped == 0, "envelopes dropped: \(PollCounts(delivery: late).summary)")
        PollSamples.write(name: benchmark.name)
    } setup: {
        var config = DaemonConfig(identity: RecordIdentity(hostname: "bench"))
        config.netlinkers = netlinkers
        if let cpus { config.cpus = cpus }
        config.ioUring = ioUring
        config.ioUringMultishot = multishot
        config.destination = spec
        config.marshal = marshal
        config.valkey.stream = valkeyStream
        config.valkey.streamMaxLength = 50
        config.natsJetStream = natsJetStream
        if let s3 { config.s3 = s3 }
        // A Parquet batch is a row group: 4 MiB, as -marshal parquet has it.
        if marshal == .parquet { config.envelopeFlushBytes = 4 << 20 }
        if case .nats = spec { config.kafka.topic = "xtcp-bench" }
        if case .tcp = spec {
            let drain = try StreamDrain(tcp: ())
            rig.drain = drain
            config.destination = .tcp(host: "127.0.0.1", port: drain.port)
        } else if case .unix(let path) = spec {
            rig.drain = try StreamDrain(unix: path)
        }
        if let filter { try config.setFilter(try SocketFilter(parsing: filter)) }
        config.changesOnly = changesOnly
        config.resolveContainerID = resolveContainerID
        config.fullEvery = 1_000_000
        config.identity.stamp(&rig.template)
        let destination = try config.openDestination()
        rig.destination = destination
        let poller = try makePollerSet(config: config, destination: destination)
        // $XTCP_BENCH_NAMESPACES=all: every namespace on the host (the
        // 256-namespace farm); else the one the benchmark runs in.
        let all = getenv("XTCP_BENCH_NAMESPACES").map { String(cString: $0) } == "all"
        _ = poller.reconcile(all ? NamespaceDiscovery().scan() : [.own()])
        rig.poller = poller
    } teardown: {
        rig.poller?.stopAll()
        try rig.destination?.close()
        rig.poller = nil
        rig.destination = nil
        rig.drain = nil
    }
}
