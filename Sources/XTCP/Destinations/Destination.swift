import RecordFmt

/// What became of a batch handed to a destination.
public enum WriteOutcome: Sendable {
    /// Written (file, stdout, udp, null).
    case delivered
    /// Accepted for delivery later (Kafka): the delivery or the drop is
    /// counted when the destination learns of it (`takeLateCounts`).
    case queued
}

/// A batch the destination refused, and why: counted as dropped with
/// `reason` (any other error a destination throws counts as a write error).
public struct DestinationDrop: Error, CustomStringConvertible {
    public var reason: DropReason
    public var detail: String
    public var description: String { detail }
    public init(reason: DropReason, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// Where batches go (`-dest`). Shared by every netlinker: `write` and `send`
/// may be called from several threads at once.
public protocol Destination: AnyObject, Sendable {
    /// Takes one batch of `rows` rows; the bytes are only valid during the
    /// call (a destination that keeps them copies them).
    func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome

    /// Destinations that keep batches after the call (Kafka) take envelope
    /// buffers instead of copying them: they expose the pool the
    /// replacement buffers come from and where taken ones go back.
    var envelopePool: EnvelopePool? { get }

    /// Takes the envelope and its buffer (only if `envelopePool` is set). On
    /// a throw the buffer has already gone back to the pool.
    func send(_ envelope: DetachedEnvelope) throws -> WriteOutcome

    /// Deliveries and drops of `.queued` batches learnt since the last call.
    func takeLateCounts() -> PollCounts

    /// Problems since the last call (broker errors), one line each.
    func takeProblems() -> [String]

    /// Delivers or drops (and counts) what is still queued, then closes.
    func close() throws

    /// Envelopes waiting in the destination's own queue now (librdkafka's
    /// out queue), for `/metrics`; nil where there is none. Any thread.
    var queueLength: Int? { get }

    /// Kafka's errors so far, by where they came from (`delivery`: a
    /// message's report; `client`: librdkafka's error callback; `produce`:
    /// a refused produce) and librdkafka's code name (`_MSG_TIMED_OUT`);
    /// nil for destinations that are not Kafka. Any thread.
    var kafkaErrors: [KafkaErrorKey: UInt64]? { get }
}

public struct KafkaErrorKey: Hashable, Sendable {
    public var source: String
    public var code: String
}

extension Destination {
    public var envelopePool: EnvelopePool? { nil }
    public var kafkaErrors: [KafkaErrorKey: UInt64]? { nil }
    public func send(_ envelope: DetachedEnvelope) throws -> WriteOutcome {
        preconditionFailure("\(Self.self) takes no envelope buffers")
    }
    public func takeLateCounts() -> PollCounts { PollCounts() }
    public func takeProblems() -> [String] { [] }
    public var queueLength: Int? { nil }
}

/// A destination that could not be opened or reached at start: the daemon
/// exits with code 3 instead of polling into the void.
public struct DestinationUnavailable: Error, CustomStringConvertible {
    public var description: String
}
