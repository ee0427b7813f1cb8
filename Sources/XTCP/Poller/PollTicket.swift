import RecordFmt

/// What a poll tells each netlinker: the deadline, and the per-poll fields
/// every record carries (identity, namespace, poll sequence, and the time
/// the poll was asked for as `timestamp_ns`).
public struct PollTicket: @unchecked Sendable {  // handed over through a semaphore, read-only after
    public var deadline: ContinuousClock.Instant
    public var template: FlatRecord

    public init(deadline: ContinuousClock.Instant, template: FlatRecord) {
        self.deadline = deadline
        self.template = template
    }
}
