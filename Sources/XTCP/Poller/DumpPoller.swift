import Destinations
import Dispatch
import Netlink

/// The polled namespaces' dumps, dealt to `-netlinkers` netlinker threads
/// (one per CPU at most) shared by every namespace, on both receive paths:
/// the threads do not grow with namespaces. Each namespace's dump is split
/// into shards (`DumpShard`), each a job with its own socket, kept as long
/// as the namespace is polled; jobs are dealt round-robin, namespace by
/// namespace, so a namespace's shards are dumped side by side.
public final class DumpPoller: PollerSet {
    let config: DaemonConfig
    private let netlinkers: [Netlinker]
    private let finished = DispatchSemaphore(value: 0)
    /// Each namespace's jobs, by inode, in the order namespaces were found.
    private var jobs: [UInt64: [DumpJob]] = [:]
    private var order: [UInt64] = []

    /// Starts the netlinker threads. With `-ioUring` each sets up its ring
    /// on its thread, and a kernel that refuses one makes this throw its
    /// `SystemError` (the daemon then falls back to recvmsg, or exits).
    /// `sockets` opens each job's socket: the kernel's, or a fake kernel's;
    /// `names` names the containers the cgroup index finds.
    init(config: DaemonConfig, destination: any Destination, sockets: (any DumpSocketOpener)? = nil, names: (any ContainerNames)? = nil,
         stream: RecordStream? = nil) throws {
        self.config = config
        let sockets = sockets ?? KernelSockets()
        // recvmsg waits in the call, so its sockets time out there; a ring
        // times its receives out itself.
        let receiveTimeout = config.ioUring ? nil : config.netlinkTimeout.duration
        let finished = finished
        netlinkers = (0..<config.activeNetlinkers).map { id in
            Netlinker(id: id, session: DumpSession(netlinker: id, config: config, destination: destination, sockets: sockets,
                                                   receiveTimeout: receiveTimeout, owners: CgroupIndex(enabled: config, names: names),
                                                   stream: stream),
                      receiver: config.ioUring ? RingReceiver(config: config) : RecvReceiver(packetSize: config.packetSize),
                      finished: finished)
        }
        for (index, netlinker) in netlinkers.enumerated() {
            do { try netlinker.startThread() } catch {
                for started in netlinkers[..<index] { started.stop() }
                throw error
            }
        }
    }

    public var count: Int { jobs.count }

    /// The rings, when the netlinkers receive through io_uring.
    var rings: [RingChannel] { netlinkers.compactMap { ($0.receiver as? RingReceiver)?.channel } }

    public func reconcile(_ found: [PolledNamespace]) -> NamespaceChange {
        let delta = NamespaceDelta(polled: order, found: found, limit: config.maxNamespaces)
        var change = NamespaceChange(overLimit: delta.overLimit)
        for inode in delta.gone {
            // Dropping the jobs closes their sockets, which lets the kernel
            // free the namespace (an open netlink socket holds it alive).
            if let gone = jobs.removeValue(forKey: inode), let first = gone.first { change.removed.append(first.namespace) }
        }
        order = delta.kept
        let plan = config.dumpPlan
        for namespace in delta.new {
            jobs[namespace.inode] = plan.map {
                DumpJob(namespace: namespace, shard: $0,
                        changes: config.changesOnly ? ChangeTable(rttPercent: config.changesRttPercent) : nil, attributes: config.attributes)
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

    /// Every netlinker's jobs at once; returns when all are done (each
    /// bounded by the ticket's deadline).
    public func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String]) {
        for netlinker in netlinkers { netlinker.begin(ticket) }
        for _ in netlinkers { finished.wait() }
        var counts = PollCounts()
        var problems: [String] = []
        for netlinker in netlinkers {
            counts += netlinker.result.counts
            problems += netlinker.result.problems.map { "netlinker \(netlinker.id): \($0)" }
        }
        return (counts, problems)
    }

    public func stopAll() {
        for netlinker in netlinkers { netlinker.stop() }
        jobs.removeAll()
        order.removeAll()
        for netlinker in netlinkers { netlinker.jobs = [] }
    }
}
