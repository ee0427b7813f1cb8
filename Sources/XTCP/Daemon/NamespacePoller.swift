import Dispatch
import Netlink
import RecordFmt

/// The netlinkers of one namespace: the dump split into shards (each socket
/// exactly once over the shards), the shards dealt out to `-netlinkers`
/// threads, and a poll that waits for all of them.
final class NamespacePoller {
    let namespace: PolledNamespace
    let netlinkers: [Netlinker]
    private let finished = DispatchSemaphore(value: 0)

    init(namespace: PolledNamespace, config: DaemonConfig, destination: any Destination) throws {
        self.namespace = namespace
        let plan = config.dumpPlan
        let count = min(config.activeNetlinkers, plan.count)
        let finished = finished
        netlinkers = (0..<count).map { id in
            Netlinker(
                id: id, namespace: namespace,
                shards: plan.indices.filter { $0 % count == id }.map { plan[$0] },
                config: config, destination: destination, finished: finished)
        }
        for netlinker in netlinkers { try netlinker.startThread() }
    }

    /// Starts a poll: the netlinkers dump their shards on their threads;
    /// `wait` returns when all are done (each bounded by the deadline).
    func begin(_ ticket: PollTicket) {
        var namespaceTicket = ticket
        namespace.stamp(&namespaceTicket.template)
        for netlinker in netlinkers { netlinker.begin(namespaceTicket) }
    }

    /// Waits for the poll `begin` started; its counts and problems.
    func wait() -> (counts: PollCounts, problems: [String]) {
        for _ in netlinkers { finished.wait() }
        var counts = PollCounts()
        var problems: [String] = []
        for netlinker in netlinkers {
            counts += netlinker.counts
            if let problem = netlinker.lastProblem { problems.append("netlinker \(netlinker.id): \(problem)") }
        }
        return (counts, problems)
    }

    func stop() {
        for netlinker in netlinkers { netlinker.stop() }
    }
}
