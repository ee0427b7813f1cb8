import Dispatch
import Netlink

/// `-ioUring`: the polled namespaces' shards dealt to `-netlinkers` ring
/// netlinkers (one per CPU at most), whatever the number of namespaces.
/// Same face as `NamespaceSet`.
public final class RingPoller: PollerSet {
    let config: DaemonConfig
    private let netlinkers: [RingNetlinker]
    private let finished = DispatchSemaphore(value: 0)
    /// Each namespace's jobs, by inode, in the order namespaces were found.
    private var jobs: [UInt64: [RingJob]] = [:]
    private var order: [UInt64] = []

    init(config: DaemonConfig, destination: any Destination) throws {
        self.config = config
        let finished = finished
        netlinkers = try (0..<config.activeNetlinkers).map { id in
            try RingNetlinker(id: id, config: config, destination: destination, finished: finished)
        }
        for netlinker in netlinkers { try netlinker.startThread() }
    }

    public var count: Int { jobs.count }

    /// Memory the rings hold for receiving, at most: each ring's receive
    /// buffers (`-ioUringRecvBatch` × `-packetSize`, twice that with
    /// multishot receives), whatever the number of namespaces. (The rings'
    /// own queues are a few pages each.)
    public var receiveBufferBytes: Int { netlinkers.reduce(0) { $0 + $1.receiver.bufferBytes } }
    /// How the rings receive, and why not multishot when it was asked for.
    public var receiveMode: String { netlinkers.first?.receiver.mode.rawValue ?? "" }
    public var multishotFellBack: String? { netlinkers.first?.receiver.fellBack }
    public var ringCount: Int { netlinkers.count }

    public func reconcile(_ found: [PolledNamespace]) -> NamespaceChange {
        let delta = NamespaceDelta(polled: order, found: found, limit: config.maxNamespaces)
        var change = NamespaceChange(overLimit: delta.overLimit)
        for inode in delta.gone {
            // Dropping the jobs closes their sockets.
            if let gone = jobs.removeValue(forKey: inode), let first = gone.first { change.removed.append(first.namespace) }
        }
        order = delta.kept
        // A namespace's dump is split as in the syscall mode; the shards of
        // all namespaces are then dealt round-robin to the rings.
        let plan = config.dumpPlan
        for namespace in delta.new {
            jobs[namespace.inode] = plan.map {
                RingJob(namespace: namespace, shard: $0,
                        changes: config.changesOnly ? ChangeTable(rttPercent: config.changesRttPercent) : nil)
            }
            order.append(namespace.inode)
            change.added.append(namespace)
        }
        let all = order.flatMap { jobs[$0]! }
        for (index, netlinker) in netlinkers.enumerated() {
            netlinker.jobs = all.indices.filter { $0 % netlinkers.count == index }.map { all[$0] }
        }
        return change
    }

    public func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String]) {
        for netlinker in netlinkers { netlinker.begin(ticket) }
        for _ in netlinkers { finished.wait() }
        var counts = PollCounts()
        var problems: [String] = []
        for netlinker in netlinkers {
            counts += netlinker.counts
            problems += netlinker.problems.map { "ring \(netlinker.id): \($0)" }
        }
        return (counts, problems)
    }

    public func stopAll() {
        for netlinker in netlinkers { netlinker.stop() }
        jobs.removeAll()
        order.removeAll()
    }
}
