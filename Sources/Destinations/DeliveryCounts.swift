/// What became of the records handed to a pipeline: envelopes made (by why
/// they were flushed), delivered, queued for a later verdict, and dropped
/// (by why). Plain values, added up after each poll.
///
/// Every envelope flushed is counted once more when its fate is known,
/// as delivered or as dropped, so over a run `envelopes = delivered +
/// dropped`; `queued` envelopes get their verdict later
/// (`Destination.takeLateCounts`).
public struct DeliveryCounts: Sendable, Equatable {
    public var records: UInt64 = 0
    public var envelopes: UInt64 = 0
    public var envelopeBytes: UInt64 = 0
    public var flushes = [UInt64](repeating: 0, count: FlushReason.allCases.count)
    /// Envelopes written (file, stdout, udp, null) or acknowledged by Kafka.
    public var delivered: UInt64 = 0
    /// Envelopes handed to Kafka; each is later counted once more, as
    /// delivered or dropped, when its delivery report arrives.
    public var queued: UInt64 = 0
    public var droppedEnvelopes = [UInt64](repeating: 0, count: DropReason.allCases.count)
    public var droppedRows = [UInt64](repeating: 0, count: DropReason.allCases.count)

    public init() {}

    public var envelopesDropped: UInt64 { droppedEnvelopes.reduce(0, +) }
    public var rowsDropped: UInt64 { droppedRows.reduce(0, +) }

    public mutating func flushed(_ reason: FlushReason, bytes: Int) {
        envelopes += 1
        envelopeBytes += UInt64(bytes)
        flushes[reason.rawValue] += 1
    }

    public mutating func dropped(_ reason: DropReason, rows: Int) {
        droppedEnvelopes[reason.rawValue] += 1
        droppedRows[reason.rawValue] += UInt64(rows)
    }

    public static func += (a: inout DeliveryCounts, b: DeliveryCounts) {
        a.records += b.records
        a.envelopes += b.envelopes
        a.envelopeBytes += b.envelopeBytes
        for i in a.flushes.indices { a.flushes[i] += b.flushes[i] }
        a.delivered += b.delivered
        a.queued += b.queued
        for i in a.droppedEnvelopes.indices {
            a.droppedEnvelopes[i] += b.droppedEnvelopes[i]
            a.droppedRows[i] += b.droppedRows[i]
        }
    }

    /// `flushed(end=4) bytes=612345 queued=2 delivered=4 dropped(queue full)=1 envelopes/800 rows`:
    /// the delivery part of a poll's line (records and envelopes are said
    /// first, by the caller).
    public var summaryParts: [String] {
        var parts: [String] = []
        let byReason = FlushReason.allCases.filter { flushes[$0.rawValue] > 0 }.map { "\($0)=\(flushes[$0.rawValue])" }
        if !byReason.isEmpty { parts.append("flushed(\(byReason.joined(separator: ",")))") }
        parts.append("bytes=\(envelopeBytes)")
        if queued > 0 { parts.append("queued=\(queued)") }
        parts.append("delivered=\(delivered)")
        for reason in DropReason.allCases where droppedEnvelopes[reason.rawValue] > 0 {
            parts.append("dropped(\(reason))=\(droppedEnvelopes[reason.rawValue]) envelopes/\(droppedRows[reason.rawValue]) rows")
        }
        return parts
    }
}
