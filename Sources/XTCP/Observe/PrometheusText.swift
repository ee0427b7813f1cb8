import Destinations
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// `/metrics` in the Prometheus text format (version 0.0.4): the daemon's
/// counters from a `MetricsBoard` snapshot, and the process's own figures
/// read at request time. Names follow Prometheus conventions: `xtcp_`
/// prefix, `_total` counters, base units (seconds, bytes); labels take a
/// handful of fixed values each (a reason, an outcome), never a namespace
/// or an address.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// What the configuration bounds, for alerts that compare against it.
    public struct Limits: Sendable {
        public var maxNamespaces = 1024
        public var pollIntervalSeconds = 10.0
        public init(maxNamespaces: Int = 1024, pollIntervalSeconds: Double = 10) {
            self.maxNamespaces = maxNamespaces
            self.pollIntervalSeconds = pollIntervalSeconds
        }
    }

    /// `others`: figures of the parts beside the loop (the gRPC API's).
    public static func render(_ board: MetricsBoard.Snapshot, destination: (any Destination)? = nil, others: [MetricFamily] = [],
                              limits: Limits = Limits(), process: ProcessFigures = .current()) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func one(_ value: UInt64) -> [(labels: String, value: String)] { [("", "\(value)")] }
        let dumps = board.totals.dumps
        let delivery = board.totals.delivery
        let closes = board.totals.closes

        metric("xtcp_build_info", "gauge", "What this xtcp was built from: its version, git revision and Swift compiler (value 1).",
               [("{version=\"\(XTCPVersion.daemon)\",revision=\"\(XTCPVersion.revision)\",swift=\"\(XTCPVersion.swift)\"}", "1")])
        metric("xtcp_polls_total", "counter", "Polls finished.", one(board.polls))
        metric("xtcp_sockets_total", "counter", "Sockets the kernel reported, over all polls.", one(dumps.sockets))
        metric("xtcp_records_total", "counter", "Records encoded.", one(delivery.records))
        metric("xtcp_envelopes_total", "counter", "Envelopes made, by why they were flushed.",
               FlushReason.allCases.map { ("{reason=\"\(label($0.description))\"}", "\(delivery.flushes[$0.rawValue])") })
        metric("xtcp_envelope_bytes_total", "counter", "Bytes of the envelopes made.", one(delivery.envelopeBytes))
        metric("xtcp_envelopes_queued_total", "counter", "Envelopes handed to Kafka, each later delivered or dropped.", one(delivery.queued))
        metric("xtcp_envelopes_delivered_total", "counter", "Envelopes written, or acknowledged by the broker.", one(delivery.delivered))
        metric("xtcp_envelopes_dropped_total", "counter", "Envelopes lost, by reason.",
               DropReason.allCases.map { ("{reason=\"\(label($0.description))\"}", "\(delivery.droppedEnvelopes[$0.rawValue])") })
        metric("xtcp_records_dropped_total", "counter", "Records in the envelopes lost, by reason.",
               DropReason.allCases.map { ("{reason=\"\(label($0.description))\"}", "\(delivery.droppedRows[$0.rawValue])") })
        metric("xtcp_dumps_total", "counter", "Netlink dumps, by how they ended (a failed one by what failed: its reply, its receive, its socket, its ring).", [
            ("{outcome=\"done\"}", "\(dumps.dumpsDone)"),
            ("{outcome=\"nlmsg_error\"}", "\(dumps.failures(.nlmsgError))"),
            ("{outcome=\"receive_error\"}", "\(dumps.failures(.receive))"),
            ("{outcome=\"socket_error\"}", "\(dumps.failures(.socket))"),
            ("{outcome=\"ring_error\"}", "\(dumps.failures(.ring))"),
            ("{outcome=\"stalled\"}", "\(dumps.dumpsStalled)"),
            ("{outcome=\"poll_timeout\"}", "\(dumps.dumpsTimedOut)"),
        ])
        let errors = dumps.netlinkErrors.sorted { ($0.key.kind.rawValue, $0.key.errno) < ($1.key.kind.rawValue, $1.key.errno) }
        metric("xtcp_netlink_errors_total", "counter", "Failed dumps by kind (nlmsg_error, receive, socket, ring) and errno.",
               errors.map { ("{kind=\"\($0.key.kind.rawValue)\",errno=\"\($0.key.errnoName)\"}", "\($0.value)") })
        let decode = dumps.decode
        metric("xtcp_netlink_decode_problems_total", "counter", "Netlink messages or attributes the decoder could not use, by kind.", [
            ("{kind=\"truncated_message\"}", "\(decode.truncatedMessages)"),
            ("{kind=\"short_socket_message\"}", "\(decode.shortSocketMessages)"),
            ("{kind=\"malformed_attribute\"}", "\(decode.malformedAttributes)"),
            ("{kind=\"short_attribute\"}", "\(decode.shortAttributes)"),
            ("{kind=\"foreign_message\"}", "\(decode.foreignMessages)"),
            ("{kind=\"unexpected_message\"}", "\(decode.unexpectedMessages)"),
            ("{kind=\"done_with_error\"}", "\(decode.dumpErrors)"),
        ])
        metric("xtcp_netlink_unknown_attributes_total", "counter", "Attributes of types xtcp does not decode (a newer kernel's), skipped.",
               one(decode.unknownAttributes))
        metric("xtcp_netlink_dump_interrupted_total", "counter", "Netlink messages the kernel marked NLM_F_DUMP_INTR (the table changed during the dump).",
               one(decode.dumpInterrupted))
        metric("xtcp_namespaces", "gauge", "Network namespaces polled.", [("", "\(board.namespaces)")])
        metric("xtcp_max_namespaces", "gauge", "The most namespaces polled at once (-maxNamespaces); more are left out.",
               [("", "\(limits.maxNamespaces)")])
        metric("xtcp_poll_interval_seconds", "gauge", "Time between polls (-frequency).", [("", "\(limits.pollIntervalSeconds)")])
        metric("xtcp_last_poll_timestamp_seconds", "gauge", "When the last poll ended, in seconds since the epoch (0: none yet).",
               [("", "\(Double(board.lastPollEndedWall) / 1e9)")])
        metric("xtcp_namespaces_vanished_total", "counter", "Dumps not begun because their namespace was gone (nothing lost).",
               one(dumps.namespacesVanished))
        metric("xtcp_records_unchanged_total", "counter", "-changesOnly: sockets seen but not sent, unchanged since their last record.",
               one(dumps.unchanged))
        metric("xtcp_enrich_lookups_total", "counter",
               "-resolveContainerId: owner lookups by socket cgroup (one per run of rows of one cgroup), by result: hit (known cgroup) or miss (unknown: a walk of the hierarchy, debounced).", [
            ("{source=\"cgroup\",result=\"hit\"}", "\(dumps.owners.hits)"),
            ("{source=\"cgroup\",result=\"miss\"}", "\(dumps.owners.misses)"),
        ])
        let sources = dumps.sources
        metric("xtcp_enrich_rebuilds_total", "counter", "Reads of an enrichment source: cgroup, walks of the cgroup v2 hierarchy (at start, then on a miss, at most one per 5s per netlinker); nic, reads of the uplinks (at start and on link or route changes); lldp, reads of lldpd's neighbours (at start and on its notifications); docker, container lists from the Engine API (at start and on its container events).",
               [("{source=\"cgroup\"}", "\(dumps.owners.rebuilds)"), ("{source=\"nic\"}", "\(sources.nic.reads)"),
                ("{source=\"lldp\"}", "\(sources.lldp.reads)"), ("{source=\"docker\"}", "\(sources.docker.reads)")])
        metric("xtcp_enrich_failures_total", "counter", "Reads of an enrichment source that failed (their columns left empty): nic, uplinks named or routed that could not be read; lldp, lldpd not answering on -lldpdSocket; docker, the Engine API not answering or not understood on -dockerSocket.",
               [("{source=\"nic\"}", "\(sources.nic.failures)"), ("{source=\"lldp\"}", "\(sources.lldp.failures)"),
                ("{source=\"docker\"}", "\(sources.docker.failures)")])
        metric("xtcp_close_events_total", "counter", "-closeEvents: TCP sockets the kernel reported destroyed.", one(closes.events))
        metric("xtcp_close_events_lost_total", "counter", "-closeEvents: destroy messages lost to a full receive queue (SO_MEMINFO drops).",
               one(closes.lost))
        metric("xtcp_close_event_overflows_total", "counter", "-closeEvents: receive queue overflows (ENOBUFS).", one(closes.overflows))
        for family in (destination?.metrics ?? []) + others {
            func labels(_ sample: MetricFamily.Sample) -> String {
                sample.labels.isEmpty ? "" : "{" + sample.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
            }
            metric(family.name, family.kind.rawValue, family.help,
                   family.samples.map { (labels($0), $0.value.rounded() == $0.value && abs($0.value) < 1e15 ? "\(Int64($0.value))" : "\($0.value)") })
        }

        func histogram(_ name: String, _ help: String, _ values: Histogram) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            for (bound, count) in zip(values.bounds, values.counts) { text += "\(name)_bucket{le=\"\(bound)\"} \(count)\n" }
            text += "\(name)_bucket{le=\"+Inf\"} \(values.count)\n\(name)_sum \(values.sum)\n\(name)_count \(values.count)\n"
        }
        histogram("xtcp_poll_duration_seconds", "How long each poll took.", board.pollDurations)
        histogram("xtcp_dump_duration_seconds", "How long each shard's dump of one namespace took.", dumps.dumpSeconds)

        metric("process_resident_memory_bytes", "gauge", "Resident memory (VmRSS).", [("", "\(process.residentBytes)")])
        metric("xtcp_memory_limit_bytes", "gauge", "The memory limit of xtcp's cgroup (MemoryMax=, a pod's limit); no sample when unlimited.",
               process.memoryLimit.map { [("", "\($0)")] } ?? [])
        metric("process_open_fds", "gauge", "Open file descriptors.", [("", "\(process.openFiles)")])
        metric("process_threads", "gauge", "OS threads.", [("", "\(process.threads)")])
        metric("process_cpu_seconds_total", "counter", "CPU time, user and system, every thread.", [("", "\(process.cpuSeconds)")])
        metric("process_start_time_seconds", "gauge", "When xtcp started, in seconds since the epoch.", [("", "\(process.startTime)")])
        return text
    }

    /// A reason's words as a label value: `queue full` → `queue_full`.
    static func label(_ words: String) -> String { String(words.map { $0 == " " ? "_" : $0 }) }
}

/// The process's own figures, read from /proc and getrusage when asked.
public struct ProcessFigures: Sendable {
    public var residentBytes: Int
    public var threads: Int
    public var openFiles: Int
    public var cpuSeconds: Double
    public var startTime: Double
    /// The cgroup's memory limit in bytes; nil when unlimited.
    public var memoryLimit: Int?

    /// Set when first read: the daemon reads it as it starts.
    public static let startTime = Double(WallClock.nanoseconds()) / 1e9

    public static func current() -> ProcessFigures {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let status = ProcFiles.selfStatus(["VmRSS", "Threads"])
        return ProcessFigures(
            residentBytes: (status["VmRSS"].flatMap { Int($0.filter(\.isNumber)) } ?? 0) * 1024,
            threads: status["Threads"].flatMap { Int($0) } ?? 0,
            openFiles: countOpenFiles(),
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            startTime: startTime,
            memoryLimit: CgroupMemoryLimit.current())
    }

    static func countOpenFiles() -> Int {
        // Less the descriptor of the listing itself.
        ((try? ProcFiles.entries("/proc/self/fd").count) ?? 1) - 1
    }
}
