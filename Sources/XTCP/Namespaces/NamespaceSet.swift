import Netlink

/// The namespaces being polled, each with its netlinkers, kept in step with
/// discovery: `reconcile` starts pollers for new namespaces and stops those
/// of vanished ones (their threads end, their sockets close, which lets the
/// kernel free the namespace: an open netlink socket holds it alive).
/// What the daemon polls through: a poller per namespace (`NamespaceSet`)
/// or rings shared by all namespaces (`RingPoller`, `-ioUring`).
public protocol PollerSet: AnyObject {
    var count: Int { get }
    func reconcile(_ found: [PolledNamespace]) -> NamespaceSet.Change
    func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String])
    func stopAll()
}

/// The poller set `config` asks for: rings with `-ioUring`, else a poller
/// per namespace.
public func makePollerSet(config: DaemonConfig, destination: any Destination) throws -> any PollerSet {
    config.ioUring ? try RingPoller(config: config, destination: destination) : NamespaceSet(config: config, destination: destination)
}

public final class NamespaceSet: PollerSet {
    let config: DaemonConfig
    let destination: any Destination
    private(set) var pollers: [UInt64: NamespacePoller] = [:]
    /// Inodes in the order they were found: the host first.
    private var order: [UInt64] = []
    private var warnedLimit = false

    init(config: DaemonConfig, destination: any Destination) {
        self.config = config
        self.destination = destination
    }

    public struct Change {
        public var added: [PolledNamespace] = []
        public var removed: [PolledNamespace] = []
        public var failed: [String] = []
        /// Namespaces left out by -maxNamespaces.
        public var overLimit = 0
    }

    /// Makes the polled set the namespaces `found` (at most -maxNamespaces).
    public func reconcile(_ found: [PolledNamespace]) -> Change {
        var change = Change()
        let kept = Array(found.prefix(config.maxNamespaces))
        change.overLimit = found.count - kept.count
        let wanted = Set(kept.map(\.inode))
        for inode in order where !wanted.contains(inode) {
            guard let poller = pollers.removeValue(forKey: inode) else { continue }
            poller.stop()
            change.removed.append(poller.namespace)
        }
        order.removeAll { !wanted.contains($0) }
        for var namespace in kept where pollers[namespace.inode] == nil {
            if let path = namespace.path { namespace.nsid = NamespaceID.lookup(namespaceFile: path) }
            do {
                pollers[namespace.inode] = try NamespacePoller(namespace: namespace, config: config, destination: destination)
                order.append(namespace.inode)
                change.added.append(namespace)
            } catch {
                change.failed.append("\(namespace.name): \(error)")
            }
        }
        return change
    }

    /// One poll of every namespace, all at once; returns when every
    /// netlinker is done (each bounded by the ticket's deadline).
    public func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String]) {
        let active = order.compactMap { pollers[$0] }
        for poller in active { poller.begin(ticket) }
        var counts = PollCounts()
        var problems: [String] = []
        for poller in active {
            let (c, p) = poller.wait()
            counts += c
            problems += p.map { "\(poller.namespace.name): \($0)" }
        }
        return (counts, problems)
    }

    public var count: Int { pollers.count }

    public func stopAll() {
        for inode in order { pollers[inode]?.stop() }
        pollers.removeAll()
        order.removeAll()
    }
}
