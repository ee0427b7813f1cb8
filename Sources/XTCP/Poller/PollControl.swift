import Platform
import Synchronization

/// What the poll loop is asked from outside its schedule (the gRPC API):
/// a poll now (`poll`), a burst of polls (`startBurst`), a new frequency
/// and timeout (`setTiming`). Any thread asks; the loop reads it between
/// polls and is woken from its wait when something changes. Nothing here
/// runs on a netlinker thread, and a request never waits inside the loop:
/// the loop only calls the requests' short callbacks.
public final class PollControl: Sendable {
    /// The schedule's frequency and the polls' time limit (`-timeout`).
    public struct Timing: Sendable, Equatable {
        public var frequency: Duration
        public var timeout: Duration
        /// `-timeout` was not given: it follows the frequency.
        public var timeoutFollowsFrequency: Bool
    }

    /// A request refused, and why: the gRPC status is the API's to choose.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The request's values cannot be used (INVALID_ARGUMENT).
        case invalid(String)
        /// One at a time, and one is running (RESOURCE_EXHAUSTED).
        case busy(String)
        public var description: String {
            switch self {
            case .invalid(let why), .busy(let why): why
            }
        }
    }

    /// The most polls one burst may ask for.
    public static let burstCounts = 1...1000
    /// The shortest frequency (as `-frequency`'s).
    public static let shortestFrequency = Duration.milliseconds(10)

    private struct Request {
        /// Told the poll's sequence before its dumps begin.
        let onBegin: @Sendable (UInt64) -> Void
        let finished: CheckedContinuation<UInt64?, Never>
    }

    private struct Burst {
        var left: Int
        let interval: Duration
        var next: ContinuousClock.Instant
    }

    private struct State {
        var timing: Timing
        var timingChanged = false
        /// Requests for the next poll to begin.
        var waiting: [Request] = []
        /// The poll running, and the requests it answers.
        var inFlight: UInt64?
        var answering: [Request] = []
        var burst: Burst?
        var loop: ThreadWake?
        var stopped = false
    }

    private let state: Mutex<State>

    init(timing: Timing) { state = Mutex(State(timing: timing)) }

    public var timing: Timing { state.withLock { $0.timing } }

    /// The burst running: polls left and their interval.
    public var burst: (left: Int, interval: Duration)? { state.withLock { $0.burst.map { ($0.left, $0.interval) } } }

    // MARK: Asked from outside

    /// One poll: the poll in flight when `joiningInFlight` and one is, else
    /// the next to begin, which begins now unless it is running already
    /// (requests for it are joined into it). Returns its sequence when it
    /// has ended, nil when the run ended first. `onBegin` is called on the
    /// loop's thread with the sequence, before the poll's dumps begin (not
    /// for a poll joined in flight).
    public func poll(joiningInFlight: Bool, onBegin: @escaping @Sendable (UInt64) -> Void = { _ in }) async -> UInt64? {
        await withCheckedContinuation { (finished: CheckedContinuation<UInt64?, Never>) in
            let (loop, stopped) = state.withLock { state -> (ThreadWake?, Bool) in
                guard !state.stopped else { return (nil, true) }
                let request = Request(onBegin: onBegin, finished: finished)
                if joiningInFlight, state.inFlight != nil {
                    state.answering.append(request)
                    return (nil, false)
                }
                state.waiting.append(request)
                return (state.loop, false)
            }
            if stopped { finished.resume(returning: nil) }
            loop?.wake()
        }
    }

    /// `count` polls, `interval` apart, the first now. Refused while
    /// another burst runs, for a count outside 1–1000, and for an interval
    /// shorter than the poll timeout (polls would overlap).
    public func startBurst(count: Int, interval: Duration) throws(Refusal) {
        guard Self.burstCounts.contains(count) else {
            throw .invalid("count \(count): expected \(Self.burstCounts.lowerBound) to \(Self.burstCounts.upperBound)")
        }
        let loop = try state.withLock { state throws(Refusal) -> ThreadWake? in
            guard interval >= state.timing.timeout else {
                throw .invalid("interval \(interval.goSpelling) is shorter than the poll timeout \(state.timing.timeout.goSpelling)")
            }
            if let burst = state.burst {
                throw .busy("a burst is running: \(burst.left) polls left, \(burst.interval.goSpelling) apart")
            }
            state.burst = Burst(left: count, interval: interval, next: .now)
            return state.loop
        }
        loop?.wake()
    }

    /// A new frequency, timeout, or both (nil: unchanged; a timeout that
    /// followed the frequency goes on following it). The timeout may not
    /// be longer than the frequency, nor the frequency shorter than 10 ms.
    @discardableResult
    public func setTiming(frequency: Duration?, timeout: Duration?) throws(Refusal) -> Timing {
        if let frequency, frequency < Self.shortestFrequency { throw .invalid("poll_frequency \(frequency.goSpelling): at least 10ms") }
        if let timeout, timeout <= .zero { throw .invalid("poll_timeout \(timeout.goSpelling): must be more than 0") }
        let (timing, loop) = try state.withLock { state throws(Refusal) -> (Timing, ThreadWake?) in
            var next = state.timing
            if let frequency {
                next.frequency = frequency
                if next.timeoutFollowsFrequency, timeout == nil { next.timeout = frequency }
            }
            if let timeout {
                next.timeout = timeout
                next.timeoutFollowsFrequency = false
            }
            guard next.timeout <= next.frequency else {
                throw .invalid("poll_timeout \(next.timeout.goSpelling) is longer than poll_frequency \(next.frequency.goSpelling)")
            }
            if let burst = state.burst, burst.interval < next.timeout {
                throw .invalid("poll_timeout \(next.timeout.goSpelling) is longer than the running burst's interval \(burst.interval.goSpelling)")
            }
            state.timing = next
            state.timingChanged = true
            return (next, state.loop)
        }
        loop?.wake()
        return timing
    }

    // MARK: The poll loop's side

    /// The loop's thread, to wake when something is asked.
    func attach(_ loop: ThreadWake) { state.withLock { $0.loop = loop } }

    /// The timing, when it changed since the last call.
    func takeTimingChange() -> Timing? {
        state.withLock { state in
            guard state.timingChanged else { return nil }
            state.timingChanged = false
            return state.timing
        }
    }

    /// When a poll is asked for: now (nil), or at a burst's next poll.
    /// `.distantFuture`-like: nothing asked.
    func askedFor(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        state.withLock { state in
            if !state.waiting.isEmpty { return now }
            return state.burst.map { max($0.next, now) }
        }
    }

    /// Poll `poll` begins at `now`: it answers the waiting requests (told
    /// its sequence here, on the loop's thread) and the burst's poll if due.
    func pollBegins(_ poll: UInt64, at now: ContinuousClock.Instant) {
        let requests = state.withLock { state -> [Request] in
            state.inFlight = poll
            state.answering = state.waiting
            state.waiting = []
            if var burst = state.burst, burst.next <= now {
                burst.left -= 1
                // The next one interval after this one's due time, or now
                // when the loop was late (not two back to back).
                burst.next = max(burst.next + burst.interval, now)
                state.burst = burst.left > 0 ? burst : nil
            }
            return state.answering
        }
        for request in requests { request.onBegin(poll) }
    }

    /// Poll `poll` ended: its requests are answered.
    func pollEnded(_ poll: UInt64) {
        let answered = state.withLock { state -> [Request] in
            state.inFlight = nil
            defer { state.answering = [] }
            return state.answering
        }
        for request in answered { request.finished.resume(returning: poll) }
    }

    /// The run is over: requests not answered get nil, new ones too.
    func stop() {
        let unanswered = state.withLock { state -> [Request] in
            state.stopped = true
            state.burst = nil
            defer {
                state.waiting = []
                state.answering = []
            }
            return state.waiting + state.answering
        }
        for request in unanswered { request.finished.resume(returning: nil) }
    }
}
