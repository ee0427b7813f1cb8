import Synchronization

/// One subscriber's bounded queue of envelopes (`RecordStream`): filled by
/// netlinkers and the close-event listener without waiting, drained by the
/// client's task, which waits for the next item.
public final class RecordStreamClient: Sendable {
    /// What the client's task takes from the queue.
    public enum Item: Sendable {
        /// An envelope (repeated XtcpFlatRecord row = 10) of `rows` rows.
        case envelope([UInt8], rows: Int)
        /// Every envelope of `poll` the client takes has been queued.
        case pollEnded(UInt64)
    }

    /// What the client took and lost: for its last log line and /metrics.
    public struct Tally: Sendable, Equatable {
        public var envelopesQueued: UInt64 = 0
        public var rowsQueued: UInt64 = 0
        public var envelopesDropped: UInt64 = 0
        public var rowsDropped: UInt64 = 0
        public init() {}
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var bytes = 0
        var tally = Tally()
        /// Every poll from this one on (an every-poll client); nil until set.
        var firstPoll: UInt64 = .max
        /// The polls asked for (a `PollFlatRecords` client).
        var polls: Set<UInt64> = []
        var waiter: CheckedContinuation<Item?, Never>?
        var finished = false
    }

    public let name: String
    public let queueBytes: Int
    public let everyPoll: Bool
    private let state = Mutex(State())

    init(name: String, queueBytes: Int, everyPoll: Bool) {
        self.name = name
        self.queueBytes = queueBytes
        self.everyPoll = everyPoll
    }

    public var tally: Tally { state.withLock { $0.tally } }

    func takesFrom(poll: UInt64) { state.withLock { $0.firstPoll = poll } }

    func include(poll: UInt64) { state.withLock { _ = $0.polls.insert(poll) } }

    private func takes(_ poll: UInt64, _ state: borrowing State) -> Bool {
        everyPoll ? poll >= state.firstPoll : state.polls.contains(poll)
    }

    func offer(_ envelope: UnsafeRawBufferPointer, rows: Int, poll: UInt64) {
        state.withLock { state -> CheckedContinuation<Item?, Never>? in
            guard takes(poll, state) else { return nil }
            return enqueue(envelope, rows: rows, &state)
        }?.resume(returning: nil)
    }

    func offerCloseEvents(_ envelope: UnsafeRawBufferPointer, rows: Int) {
        guard everyPoll else { return }
        state.withLock { state in enqueue(envelope, rows: rows, &state) }?.resume(returning: nil)
    }

    /// Queues (or drops, when full) and returns the waiter to wake, if the
    /// item went to it directly instead (resumed by the caller, outside the
    /// lock, with nil: the waiter takes the item through `next`).
    private func enqueue(_ envelope: UnsafeRawBufferPointer, rows: Int, _ state: inout State) -> CheckedContinuation<Item?, Never>? {
        guard !state.finished else { return nil }
        // An empty queue takes any envelope, so that a bound smaller than
        // one envelope still lets a client that keeps up have every one.
        if state.bytes > 0, state.bytes + envelope.count > queueBytes {
            state.tally.envelopesDropped += 1
            state.tally.rowsDropped += UInt64(rows)
            return nil
        }
        state.items.append(.envelope(Array(envelope), rows: rows))
        state.bytes += envelope.count
        state.tally.envelopesQueued += 1
        state.tally.rowsQueued += UInt64(rows)
        defer { state.waiter = nil }
        return state.waiter
    }

    func endPoll(_ poll: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            guard !state.finished, takes(poll, state) else { return nil }
            state.polls.remove(poll)
            state.items.append(.pollEnded(poll))
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Nothing more comes; a waiting `next` returns nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Item?, Never>? in
            state.finished = true
            state.items.removeAll()
            state.head = 0
            state.bytes = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next item, waiting for one; nil once the client is finished.
    public func next() async -> Item? {
        while true {
            if let item = take() { return item }
            if state.withLock({ $0.finished }) { return nil }
            _ = await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                let wakeNow = state.withLock { state -> Bool in
                    if state.finished || state.head < state.items.count { return true }
                    state.waiter = continuation
                    return false
                }
                if wakeNow { continuation.resume(returning: nil) }
            }
        }
    }

    private func take() -> Item? {
        state.withLock { state -> Item? in
            guard state.head < state.items.count else { return nil }
            let item = state.items[state.head]
            state.head += 1
            if case .envelope(let bytes, _) = item { state.bytes -= bytes.count }
            // Compact now and then, not per item.
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head > 1024 {
                state.items.removeFirst(state.head)
                state.head = 0
            }
            return item
        }
    }
}
