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

/// Where batches go (`-dest`). Shared by every netlinker: `write` may be
/// called from several threads at once.
public protocol Destination: AnyObject, Sendable {
    /// Takes one batch of `rows` rows; the bytes are only valid during the
    /// call (a destination that keeps them copies them). What it throws
    /// names the destination ("write to /var/tmp/x.bin: …"): it is the
    /// poll's one line about it.
    func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome

    /// `write`, waiting for a slow reader no later than `deadline` (the
    /// poll's), so that no destination holds a poll past `-timeout`.
    func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome

    /// Set once the destination can take nothing more (a pipe's reader
    /// gone): why. The daemon ends its run, saying so.
    var ended: String? { get }

    /// Why the daemon is not ready on this destination's account (a
    /// broker that has never answered), nil when it is: for `/readyz`.
    var unready: String? { get }

    /// Reopens what can be (a file after logrotate moved it: SIGHUP); what
    /// it reopened, nil when there is nothing to reopen.
    func reopen() throws -> String?

    /// Deliveries and drops of `.queued` batches learnt since the last call.
    func takeLateCounts() -> DeliveryCounts

    /// Problems since the last call (broker errors), one line each.
    func takeProblems() -> [String]

    /// Delivers or drops (and counts) what is still queued, then closes.
    func close() throws

    /// Figures of its own for `/metrics` (a client's queue depth and
    /// errors, a buffer pool), read from any thread; none by default.
    var metrics: [MetricFamily] { get }
}

extension Destination {
    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try write(batch, rows: rows)
    }
    public var ended: String? { nil }
    public var unready: String? { nil }
    public func reopen() throws -> String? { nil }
    public func takeLateCounts() -> DeliveryCounts { DeliveryCounts() }
    public func takeProblems() -> [String] { [] }
    public var metrics: [MetricFamily] { [] }
}

/// A destination that keeps batches after the call (Kafka): rather than
/// copy an envelope it takes the envelope's buffer, and the pipeline goes
/// on in a buffer from the destination's pool. The buffer goes back to the
/// pool when the destination is done with it.
public protocol EnvelopeBorrowing: Destination {
    /// Where replacement buffers come from, and taken ones go back to.
    var envelopePool: EnvelopePool { get }

    /// Takes the envelope and its buffer. On a throw the buffer has already
    /// gone back to the pool.
    func send(_ envelope: DetachedEnvelope) throws -> WriteOutcome
}

/// A destination that could not be opened or reached at start: the daemon
/// exits with code 3 instead of polling into the void.
public struct DestinationUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// One metric a destination shows in `/metrics`, in Prometheus's terms:
/// a name, a type, a help line and its samples (labels and value). Label
/// values are bounded sets (an error code), never a host or an address.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case counter, gauge }
    public struct Sample: Sendable, Equatable {
        public var labels: [(name: String, value: String)]
        public var value: Double
        public init(labels: [(name: String, value: String)] = [], value: Double) {
            self.labels = labels
            self.value = value
        }
        public static func == (a: Sample, b: Sample) -> Bool {
            a.value == b.value && a.labels.map(\.name) == b.labels.map(\.name) && a.labels.map(\.value) == b.labels.map(\.value)
        }
    }

    public var name: String
    public var kind: Kind
    public var help: String
    public var samples: [Sample]

    public init(name: String, kind: Kind, help: String, samples: [Sample]) {
        self.name = name
        self.kind = kind
        self.help = help
        self.samples = samples
    }

    /// One unlabelled sample.
    public init(name: String, kind: Kind, help: String, value: Double) {
        self.init(name: name, kind: kind, help: help, samples: [Sample(value: value)])
    }
}
