import Destinations
import Netlink

/// What the daemon polls through: the namespaces' dumps and the netlinkers
/// that receive them (`DumpPoller`), with close-event subscriptions
/// following them when `-closeEvents` asks (`ClosingPollerSet`).
public protocol PollerSet: AnyObject {
    /// Namespaces polled.
    var count: Int { get }
    /// Makes the polled set the namespaces `found` (at most -maxNamespaces).
    func reconcile(_ found: [PolledNamespace]) -> NamespaceChange
    /// One poll of every namespace; returns when it is done (bounded by the
    /// ticket's deadline).
    func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String])
    func stopAll()
}

/// The poller set `config` asks for: netlinkers receiving through io_uring
/// rings with `-ioUring`, else with recvmsg; shared by every namespace
/// either way.
public func makePollerSet(config: DaemonConfig, destination: any Destination) throws -> any PollerSet {
    try DumpPoller(config: config, destination: destination)
}

/// What a reconcile did.
public struct NamespaceChange {
    public var added: [PolledNamespace] = []
    public var removed: [PolledNamespace] = []
    /// Namespaces that could not be taken in, with why.
    public var failed: [String] = []
    /// Namespaces left out by -maxNamespaces.
    public var overLimit = 0
}

/// How a polled set (inodes in the order found) must change to become
/// `found`, at most `limit` of them: the inodes to let go and the namespaces
/// to take in, the latter with their nsid looked up.
struct NamespaceDelta {
    var gone: [UInt64] = []
    var new: [PolledNamespace] = []
    var kept: [UInt64] = []
    var overLimit = 0

    init(polled order: [UInt64], found: [PolledNamespace], limit: Int) {
        let wanted = found.prefix(limit)
        overLimit = found.count - wanted.count
        let wantedInodes = Set(wanted.map(\.inode))
        let polled = Set(order)
        gone = order.filter { !wantedInodes.contains($0) }
        kept = order.filter { wantedInodes.contains($0) }
        for var namespace in wanted where !polled.contains(namespace.inode) {
            if let path = namespace.path { namespace.nsid = NamespaceID.lookup(namespaceFile: path) }
            new.append(namespace)
        }
    }
}
