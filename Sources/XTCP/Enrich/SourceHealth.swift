import Platform
import Synchronization

/// What an enrichment source followed on a thread of its own (lldpd, a
/// container runtime's API) keeps of its health: its reads and failed reads
/// since the last poll took them, the problem to log once per stretch of
/// failures, whether it was asked to stop, and its waits between tries.
final class SourceHealth: Sendable {
    /// The peer's unix socket.
    let socket: String
    /// What the problem line calls the peer ("lldpd", "docker").
    let peer: String
    /// What a failure leaves of the columns, for the problem line.
    let consequence: String
    private let stopped = Atomic<Bool>(false)
    private let settled = Atomic<Bool>(false)
    private let state = Mutex<(counts: EnrichCounts.Source, problem: String?, failing: Bool)>((.init(), nil, false))

    init(socket: String, peer: String, consequence: String) {
        self.socket = socket
        self.peer = peer
        self.consequence = consequence
    }

    /// Whether the peer's socket is there (the peer installed on this host).
    var socketPresent: Bool { (try? Syscall.fileStatus(path: socket))?.isSocket == true }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Runs `body` on a detached thread called `name`, and waits for its
    /// first try (`settle()`) at most `wait`: the first poll has what a
    /// healthy peer says, and a hung peer (its library's reads block) does
    /// not hold the daemon's start.
    func follow(name: String, waitingUpTo wait: Duration = .seconds(2), _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        try OSThread.detached(name: name, body)
        let clock = ContinuousClock()
        let end = clock.now + wait
        while !settled.load(ordering: .acquiring), clock.now < end { Syscall.sleep(.milliseconds(5)) }
    }

    /// The first try is over: answered, failed, or no peer to ask.
    func settle() { settled.store(true, ordering: .releasing) }

    func succeeded() {
        state.withLock { state in
            state.counts.reads += 1
            state.failing = false
        }
    }

    func failed(_ why: String) {
        state.withLock { state in
            state.counts.reads += 1
            state.counts.failures += 1
            if !state.failing { state.problem = "\(peer) at \(socket): \(why); \(consequence) until it answers" }
            state.failing = true
        }
    }

    /// Reads and failed reads since the last call.
    func takeCounts() -> EnrichCounts.Source {
        state.withLock { state in
            defer { state.counts = .init() }
            return state.counts
        }
    }

    /// What went wrong since the last call, once per stretch of failures.
    func takeProblem() -> String? {
        state.withLock { state in
            defer { state.problem = nil }
            return state.problem
        }
    }

    /// Waits `duration`, in tenths, so that `stop()` is heard.
    func pause(_ duration: Duration) {
        var left = duration
        while left > .zero, !isStopped {
            Syscall.sleep(min(left, .milliseconds(100)))
            left -= .milliseconds(100)
        }
    }
}

/// An enrichment source followed on a thread of its own: its health's
/// counts, problem and stop, said once here for every source.
protocol FollowedSource: AnyObject {
    var health: SourceHealth { get }
}

extension FollowedSource {
    /// Reads and failed reads since the last call.
    public func takeCounts() -> EnrichCounts.Source { health.takeCounts() }

    /// What went wrong since the last call, once per stretch of failures.
    public func takeProblem() -> String? { health.takeProblem() }

    /// Ends the following thread when the peer next speaks or the next try
    /// comes (it may be waiting in a blocking read).
    public func stop() { health.stop() }
}
