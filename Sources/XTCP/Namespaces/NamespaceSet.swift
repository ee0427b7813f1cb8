import Netlink

/// The namespaces being polled, each with its netlinkers, kept in step with
/// discovery: `reconcile` starts pollers for new namespaces and stops those
/// of vanished ones (their threads end, their sockets close, which lets the
/// kernel free the namespace: an open netlink socket holds it alive).
public final class NamespaceSet: PollerSet {
    let config: DaemonConfig
    let destination: any Destination
    private var pollers: [UInt64: NamespacePoller] = [:]
    /// Inodes in the order they were found: the host first.
    private var order: [UInt64] = []

    init(config: DaemonConfig, destination: any Destination) {
        self.config = config
        self.destination = destination
    }

    public func reconcile(_ found: [PolledNamespace]) -> NamespaceChange {
        let delta = NamespaceDelta(polled: order, found: found, limit: config.maxNamespaces)
        var change = NamespaceChange(overLimit: delta.overLimit)
        for inode in delta.gone {
            guard let poller = pollers.removeValue(forKey: inode) else { continue }
            poller.stop()
            change.removed.append(poller.namespace)
        }
        order = delta.kept
        for namespace in delta.new {
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

    /// Every namespace's netlinkers at once.
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
