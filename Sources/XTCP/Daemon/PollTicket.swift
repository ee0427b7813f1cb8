import RecordFmt

/// What a poll tells each netlinker: its sequence number, when it was
/// asked for, the deadline, and the per-poll fields every record carries.
struct PollTicket: @unchecked Sendable {  // handed over through a semaphore, read-only after
    var sequence: UInt64
    /// Wall-clock ns when the poll was started: each record's `timestamp_ns`.
    var requestedAtNs: Int64
    var deadline: ContinuousClock.Instant
    /// Identity, namespace, poll sequence and timestamp, stamped in.
    var template: FlatRecord
}
