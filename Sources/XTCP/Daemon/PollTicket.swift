import RecordFmt

/// What a poll tells each netlinker: the deadline, and the per-poll fields
/// every record carries (identity, namespace, poll sequence, and the time
/// the poll was asked for as `timestamp_ns`).
struct PollTicket: @unchecked Sendable {  // handed over through a semaphore, read-only after
    var deadline: ContinuousClock.Instant
    var template: FlatRecord
}
