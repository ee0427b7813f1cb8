import Destinations
import Platform
import Synchronization

/// What the daemon has done so far, as the HTTP listener shows it: written
/// by the polling loop once per poll, read by `/metrics` and `/readyz`
/// requests. One lock, taken twice per poll and once per request: nothing
/// on the per-socket path.
public final class MetricsBoard: Sendable {
    public struct Snapshot: Sendable {
        public var polls: UInt64 = 0
        public var totals = PollCounts()
        /// The last poll's counts (readiness looks at its drops).
        public var lastPoll = PollCounts()
        public var namespaces = 0
        public var pollDurations = Histogram(bounds: Histogram.pollSecondsBounds)
        /// When the last poll ended, on the monotonic clock.
        public var lastPollEnded: ContinuousClock.Instant?
        /// The same, on the wall clock (ns since the epoch; 0: no poll yet),
        /// for an alert's `time() - …`.
        public var lastPollEndedWall: Int64 = 0

        public init() {}
    }

    private let state = Mutex(Snapshot())
    private let sources = Mutex<[@Sendable () -> [MetricFamily]]>([])

    public init() {}

    /// Figures of a part beside the loop (the gRPC API), read per request.
    public func addSource(_ source: @escaping @Sendable () -> [MetricFamily]) { sources.withLock { $0.append(source) } }

    /// Every added source's figures, now.
    public var otherMetrics: [MetricFamily] { sources.withLock { $0 }.flatMap { $0() } }

    public func recordPoll(_ counts: PollCounts, seconds: Double, namespaces: Int) {
        state.withLock { board in
            board.polls += 1
            board.totals += counts
            board.lastPoll = counts
            board.namespaces = namespaces
            board.pollDurations.observe(seconds)
            board.lastPollEnded = .now
            board.lastPollEndedWall = WallClock.nanoseconds()
        }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
}
