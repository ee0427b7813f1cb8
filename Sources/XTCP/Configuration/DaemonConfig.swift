import Destinations
import Logging
import Netlink
import Platform
import RecordFmt

/// Everything the daemon's flags decide, validated: what `-conf` prints.
public struct DaemonConfig: Sendable, Equatable {
    /// Time between polls.
    public var frequency: GoDuration = .seconds(10)
    /// The longest a poll may take; a dump still running then is abandoned
    /// and counted. At most `frequency` (a poll never overlaps the next).
    public var timeout: GoDuration = .seconds(10)
    /// `-timeout` was not given: it is `frequency`, and follows it when the
    /// gRPC API changes the frequency.
    public var timeoutFollowsFrequency = true
    /// Each tick is delayed by a random 0 to this percentage of `frequency`,
    /// so a fleet started together does not poll in step.
    public var pollJitterPercent: Int = 10
    /// Polls before exiting; 0 polls until signalled.
    public var maxLoops: Int = 0
    /// Netlinker threads per namespace, at most: see `activeNetlinkers`.
    public var netlinkers: Int = 4
    /// CPUs the process may run on (`-cpus`; default: its affinity mask).
    public var cpus: Int = CPUs.available
    /// The longest a netlink receive may wait before the dump is counted as
    /// stalled and its socket replaced.
    public var netlinkTimeout: GoDuration = .seconds(1)
    /// Bytes of each netlinker's receive buffer.
    public var packetSize: Int = 32 * 1024
    public var attributes: DiagAttributeSet = .defaultSet
    /// `-replayKernel`: the release a replayed capture was taken on.
    public var replayKernel: KernelRelease?
    /// Which kernel's tcp_info the decoder reads: the running kernel's for
    /// a live poll; a replay sets it from `replayKernel` or the capture.
    public var tcpInfoLayout: TCPInfoLayout = .running
    public var marshal: MarshalFormat = .protobufList
    /// `-natsJetStream`.
    public var natsJetStream = false
    /// `-httpCAFile`.
    public var httpCAFile: String?
    /// The `-s3*` flags; the record format and host are set at open.
    public var s3 = S3Settings()
    /// `-s3SecretKeyFile`, as `-conf` shows it (the secret never is).
    public var s3SecretKeyFile: String?
    /// `-valkeyStream`, `-valkeyStreamMaxLen`.
    public var valkey = ValkeySettings()
    /// `-columns`: the fields of csv and tsv, in order.
    public var columns = RecordColumns.all
    public var envelopeFlushRows: Int = 10_000
    public var envelopeFlushBytes: Int = 768 * 1024
    public var destination: DestinationSpec = .stdout
    /// Which namespaces to poll (`-namespaces`).
    public var namespaces: NamespaceScope = .all
    /// Directories of namespace bind mounts (`-netnsDirs`).
    public var netnsDirectories: [String] = NamespaceDiscovery.defaultDirectories
    /// How often to reconcile between polls as well (0: only before each
    /// poll, and when -netnsDirs changes).
    public var reconcileFrequency: GoDuration = .seconds(0)
    /// The most namespaces polled at once; more are left out with a warning.
    public var maxNamespaces = 1024
    /// The operator's HTTP listener (`-promListen`; nil: none) and the
    /// path of its Prometheus metrics (`-promPath`).
    public var promListen: String? = "127.0.0.1:9088"
    public var promPath = "/metrics"
    /// The gRPC API (`-grpc*`).
    public var grpc = GRPCSettings()
    /// The least severe level logged (`-logLevel`, `-d`).
    public var logLevel: Logger.Level = .info
    /// How log lines are written (`-logFormat`).
    public var logFormat: LogFormat = .text
    /// `-profile.mode cpu`: a CPU profile of the whole run, written to
    /// `profilePath` (`-profile.path`) when the run ends.
    public var profileWholeRun = false
    public var profilePath = "xtcp-cpu.pb.gz"
    /// `-ioUring`: ring netlinkers shared by all namespaces.
    public var ioUring = false
    /// Dumps (receives) in flight per ring (`-ioUringRecvBatch`).
    public var ioUringWindow = 8
    /// Completions taken per reap (`-ioUringCqeBatch`).
    public var ioUringCqeBatch = 64
    /// One multishot receive per dump into provided buffers (Linux 6.0),
    /// rather than one receive per datagram (`-ioUringMultishot`).
    public var ioUringMultishot = true
    /// When no ring can be set up: receive with recvmsg (true), or exit.
    public var ioUringFallback = true
    /// `-filter`: the sockets to report, and its program for the kernel
    /// (compiled once, when the flag is read).
    public private(set) var filter: SocketFilter?
    public private(set) var filterBytecode: [UInt8]?
    /// `-states`: the TCP states to report.
    public var states: TCPStateSet = .all
    /// `-changesOnly`: send a socket only when it changed significantly
    /// since its last record (`ChangeTable`), with a full snapshot every
    /// `fullEvery` polls; an RTT change counts beyond `changesRttPercent`.
    public var changesOnly = false
    public var fullEvery = 30
    public var changesRttPercent = 10
    /// `-closeEvents`: a record of each TCP socket the kernel destroys, with
    /// a receive buffer of `closeEventsBuffer` bytes per namespace.
    public var closeEvents = false
    public var closeEventsBuffer = 8 * 1024 * 1024
    /// The producer's options, used when `destination` is Kafka.
    public var kafka = KafkaSettings()
    public var identity: RecordIdentity
    /// `-resolveContainerId`: each socket's container and pod from its
    /// cgroup (polls and close events; not replays, whose cgroup ids are
    /// another host's).
    public var resolveContainerID = true
    /// `-enrichNic`: the uplinks' NIC columns in every record.
    public var enrichNIC = true
    /// `-uplinkInterfaces`: the uplinks; empty: the default routes'.
    public var uplinkInterfaces: [String] = []
    /// `-uplinkCount`: how many uplinks the records describe (0-2).
    public var uplinkCount = 2
    /// `-enrichLldp`: the uplinks' LLDP neighbours, from lldpd.
    public var enrichLLDP = true
    /// `-lldpdSocket`: lldpd's control socket.
    public var lldpdSocket = "/run/lldpd.socket"
    /// `-enrichContainer`: containers' names and images from Docker's
    /// Engine API.
    public var enrichContainer = true
    /// `-dockerSocket`: the Engine API's unix socket.
    public var dockerSocket = "/run/docker.sock"

    public init(identity: RecordIdentity) { self.identity = identity }

    /// Bytes of an envelope buffer: the flush threshold plus room for the
    /// row that crosses it.
    public var envelopeCapacity: Int { envelopeFlushBytes + 64 * 1024 }

    /// Opens `destination` with these options.
    public func openDestination() throws -> any Destination {
        var settings = DestinationSettings()
        settings.kafka = kafka
        settings.kafka.envelopeCapacity = envelopeCapacity
        settings.file = FileSettings(framing: marshal.framing, patience: timeout.duration, header: marshal.header(columns: columns))
        settings.valkey = valkey
        settings.http.contentType = marshal.contentType
        settings.http.caFile = httpCAFile
        settings.natsJetStream = natsJetStream
        settings.s3 = s3
        settings.s3.format = marshal
        settings.s3.hostname = identity.hostname
        return try destination.open(settings)
    }

    /// Sets `-filter`, compiling it; nil: every socket.
    public mutating func setFilter(_ filter: SocketFilter?) throws(FilterBytecode.TooLong) {
        filterBytecode = try filter.map { f throws(FilterBytecode.TooLong) in try FilterBytecode.compile(f) }
        self.filter = filter
    }

    /// Whether poll `poll` (counted from 1) sends every socket: always
    /// without -changesOnly, else the first and every `fullEvery`-th after.
    public func isFullSnapshot(poll: UInt64) -> Bool {
        !changesOnly || fullEvery <= 1 || poll == 0 || (poll - 1) % UInt64(fullEvery) == 0
    }

    /// Each namespace's dumps: its shards, with the filter and states.
    public var dumpPlan: [DumpShard] {
        DumpShard.plan(partsPerFamily: partsPerFamily, filter: filterBytecode, states: states)
    }

    /// The netlinkers that run: one per CPU at most. Each shard is a dump
    /// of its own, and each dump walks the kernel's whole socket table, so
    /// a shard beyond the CPUs that can run it costs a walk and buys no
    /// parallelism (measured on 2 CPUs, 100,000 sockets: 4 shards cost 1.51
    /// times the kernel's floor in CPU, 2 shards 1.19; pgo-notes.md).
    public var activeNetlinkers: Int { max(1, min(netlinkers, cpus)) }

    /// Shards per address family for the active netlinkers: each family
    /// gets half of them, at least one shard.
    public var partsPerFamily: Int { max(1, (activeNetlinkers + 1) / 2) }

    /// The configuration as `-conf` prints it: one `name value` per line,
    /// in flag order, with the flag names (`FlagTable`).
    public var lines: [String] { Invocation.lines(of: self) }
}

/// `-namespaces`: every network namespace on the host, or only the one xtcp
/// runs in.
public enum NamespaceScope: String, CaseIterable, Sendable {
    case all, own
}

extension MarshalFormat {
    /// How its batches follow one another in a file.
    var framing: FileFraming? {
        switch self {
        case .protobufList: .protobufList
        // A quoted line break inside a csv value could be taken for a
        // batch's end when a torn tail is looked for: labels rarely hold one.
        case .jsonl, .csv, .tsv: .lines
        case .protoJson, .protoText, .msgpack, .parquet: nil
        }
    }
}
