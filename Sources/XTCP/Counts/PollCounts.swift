import Destinations

/// What a poll (or a run) did, in its three parts: the dumps (the kernel's
/// side), the delivery of their records (the destination's side), and close
/// events. What a poll's log line, `/metrics` and `/readyz` show.
public struct PollCounts: Sendable, Equatable {
    public var dumps = DumpCounts()
    public var delivery = DeliveryCounts()
    public var closes = CloseCounts()

    public init(dumps: DumpCounts = DumpCounts(), delivery: DeliveryCounts = DeliveryCounts(), closes: CloseCounts = CloseCounts()) {
        self.dumps = dumps
        self.delivery = delivery
        self.closes = closes
    }

    public var sockets: UInt64 { dumps.sockets }
    public var dumpsIncomplete: UInt64 { dumps.incomplete }
    public var envelopesDropped: UInt64 { delivery.envelopesDropped }

    public static func += (a: inout PollCounts, b: PollCounts) {
        a.dumps += b.dumps
        a.delivery += b.delivery
        a.closes += b.closes
    }

    /// The per-poll log line's counts: `key=value` pairs, zero ones left out
    /// but for sockets, records and envelopes.
    public var summary: String {
        var parts = ["sockets=\(sockets)", "records=\(delivery.records)", "envelopes=\(delivery.envelopes)"]
        if dumps.unchanged > 0 { parts.append("unchanged=\(dumps.unchanged)") }
        if closes.events > 0 { parts.append("closes=\(closes.events)") }
        if closes.lost > 0 || closes.overflows > 0 { parts.append("closesLost=\(closes.lost) closeOverflows=\(closes.overflows)") }
        parts += delivery.summaryParts
        parts += dumps.failureParts
        return parts.joined(separator: " ")
    }
}
