import CKernelABI
import Netlink

/// Why an envelope was handed to the destination.
public enum FlushReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    case rows, bytes, endOfDump, shutdown, timeout

    public var description: String {
        switch self {
        case .rows: return "rows"
        case .bytes: return "bytes"
        case .endOfDump: return "end"
        case .shutdown: return "shutdown"
        case .timeout: return "timeout"
        }
    }
}

/// Why an envelope was lost.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// The destination refused the write (file, stdout, udp errors).
    case writeError
    /// Kafka's local queue stayed full past the wait bound.
    case queueFull
    /// Kafka gave up delivering it (broker down past message.timeout.ms).
    case deliveryFailed
    /// Still queued for Kafka when the shutdown flush timed out.
    case shutdown
    /// Larger than the destination takes (a UDP datagram).
    case tooLarge
    /// Kafka timed it out while it was in flight: the broker may have
    /// written it (librdkafka's POSSIBLY_PERSISTED), so it may be in the
    /// topic. Lost or not, nobody can say; counted apart from the sure losses.
    case unconfirmed

    public var description: String {
        switch self {
        case .writeError: return "write error"
        case .queueFull: return "queue full"
        case .deliveryFailed: return "delivery failed"
        case .shutdown: return "shutdown"
        case .tooLarge: return "too large"
        case .unconfirmed: return "unconfirmed"
        }
    }
}

/// A netlink error, by where it came and its errno: a dump's NLMSG_ERROR
/// reply, or a failed receive on the socket (ENOBUFS when it overflowed).
public struct NetlinkError: Hashable, Sendable {
    public enum Kind: String, Sendable { case nlmsgError = "nlmsg_error", receive }
    public var kind: Kind
    public var errno: Int32

    public init(kind: Kind, errno: Int32) {
        self.kind = kind
        self.errno = errno
    }

    /// The errno's symbolic name (`ENOBUFS`), a bounded label value.
    public var errnoName: String {
        xtcp_errno_name(errno).map { String(cString: $0) } ?? "errno_\(errno)"
    }
}

/// What netlinkers did: per poll, and summed over the run. Plain values,
/// added up by the poller after each poll (no shared counter on the hot path).
public struct PollCounts: Sendable, Equatable {
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
    public var dumps: UInt64 = 0
    public var dumpsDone: UInt64 = 0
    /// NLMSG_ERROR instead of a dump (the errno is in `decode.lastErrno`).
    public var dumpsFailed: UInt64 = 0
    /// No reply within `-nltimeout`.
    public var dumpsStalled: UInt64 = 0
    /// Still running when the poll's `-timeout` came.
    public var dumpsTimedOut: UInt64 = 0
    /// Dumps not begun because their namespace was gone (its file deleted
    /// or its process ended since the last reconcile): nothing was there
    /// to lose, so they are not incomplete; the next reconcile drops it.
    public var namespacesVanished: UInt64 = 0
    /// `-changesOnly`: sockets seen but not sent, unchanged since their
    /// last record.
    public var unchanged: UInt64 = 0
    /// `-closeEvents`: sockets the kernel reported destroyed; messages it
    /// could not deliver because a receive queue was full (lost); and the
    /// times a queue overflowed (ENOBUFS).
    public var closeEvents: UInt64 = 0
    public var closeEventsLost: UInt64 = 0
    public var closeEventOverflows: UInt64 = 0
    public var decode = DecodeStats()
    /// Netlink errors by kind and errno (empty, and unallocated, while
    /// there are none).
    public var netlinkErrors: [NetlinkError: UInt64] = [:]
    /// How long each dump took that ended with NLMSG_DONE, NLMSG_ERROR, a
    /// stall or the poll's timeout (not one whose socket failed).
    public var dumpSeconds = Histogram(bounds: Histogram.dumpSecondsBounds)

    public init() {}

    /// Sockets the kernel reported (decoded into records).
    public var sockets: UInt64 { decode.sockets }

    public var dumpsIncomplete: UInt64 { dumpsFailed + dumpsStalled + dumpsTimedOut }
    public var envelopesDropped: UInt64 { droppedEnvelopes.reduce(0, +) }
    public var rowsDropped: UInt64 { droppedRows.reduce(0, +) }

    /// Counts how a dump ended, whichever way it was received, and how
    /// long it took since `started`.
    mutating func dumpEnded(_ outcome: DumpOutcome, started: ContinuousClock.Instant) {
        dumpSeconds.observe((ContinuousClock.now - started).inSeconds)
        switch outcome {
        case .done: dumpsDone += 1
        case .failed(let errno):
            dumpsFailed += 1
            netlinkErrors[NetlinkError(kind: .nlmsgError, errno: errno), default: 0] += 1
        case .timedOut: dumpsStalled += 1
        case .abandoned: dumpsTimedOut += 1
        }
    }

    /// A dump whose netlink socket could not be opened in its namespace:
    /// vanished (the namespace is gone: not a failure) or failed. Returns
    /// whether it failed, so the caller says why.
    mutating func socketFailed(_ error: any Error) -> Bool {
        if let error = error as? NetlinkSocket.SystemError, error.namespaceVanished {
            namespacesVanished += 1
            return false
        }
        dumpsFailed += 1
        return true
    }

    /// A receive that failed with `errno`: the dump is incomplete.
    mutating func receiveFailed(errno: Int32) {
        dumpsFailed += 1
        netlinkErrors[NetlinkError(kind: .receive, errno: errno), default: 0] += 1
    }

    mutating func flushed(_ reason: FlushReason, bytes: Int) {
        envelopes += 1
        envelopeBytes += UInt64(bytes)
        flushes[reason.rawValue] += 1
    }

    mutating func dropped(_ reason: DropReason, rows: Int) {
        droppedEnvelopes[reason.rawValue] += 1
        droppedRows[reason.rawValue] += UInt64(rows)
    }

    public static func += (a: inout PollCounts, b: PollCounts) {
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
        a.dumps += b.dumps
        a.dumpsDone += b.dumpsDone
        a.dumpsFailed += b.dumpsFailed
        a.dumpsStalled += b.dumpsStalled
        a.dumpsTimedOut += b.dumpsTimedOut
        a.namespacesVanished += b.namespacesVanished
        a.unchanged += b.unchanged
        a.closeEvents += b.closeEvents
        a.closeEventsLost += b.closeEventsLost
        a.closeEventOverflows += b.closeEventOverflows
        a.decode += b.decode
        a.netlinkErrors.merge(b.netlinkErrors, uniquingKeysWith: +)
        a.dumpSeconds += b.dumpSeconds
    }

    /// The per-poll log line's counts: `key=value` pairs, zero ones left out
    /// but for sockets, records and envelopes.
    public var summary: String {
        var parts = ["sockets=\(sockets)", "records=\(records)", "envelopes=\(envelopes)"]
        if unchanged > 0 { parts.append("unchanged=\(unchanged)") }
        if closeEvents > 0 { parts.append("closes=\(closeEvents)") }
        if closeEventsLost > 0 || closeEventOverflows > 0 { parts.append("closesLost=\(closeEventsLost) closeOverflows=\(closeEventOverflows)") }
        let byReason = FlushReason.allCases.filter { flushes[$0.rawValue] > 0 }.map { "\($0)=\(flushes[$0.rawValue])" }
        if !byReason.isEmpty { parts.append("flushed(\(byReason.joined(separator: ",")))") }
        parts.append("bytes=\(envelopeBytes)")
        if queued > 0 { parts.append("queued=\(queued)") }
        parts.append("delivered=\(delivered)")
        for reason in DropReason.allCases where droppedEnvelopes[reason.rawValue] > 0 {
            parts.append("dropped(\(reason))=\(droppedEnvelopes[reason.rawValue]) envelopes/\(droppedRows[reason.rawValue]) rows")
        }
        if dumpsFailed > 0 { parts.append("dumpsFailed=\(dumpsFailed)" + (decode.lastErrno != 0 ? "(errno \(decode.lastErrno))" : "")) }
        if namespacesVanished > 0 { parts.append("namespacesVanished=\(namespacesVanished)") }
        if dumpsStalled > 0 { parts.append("dumpsStalled=\(dumpsStalled)") }
        if dumpsTimedOut > 0 { parts.append("dumpsTimedOut=\(dumpsTimedOut)") }
        if decode.problems > 0 { parts.append("decodeProblems=\(decode.problems)") }
        if decode.dumpInterrupted > 0 { parts.append("dumpInterrupted=\(decode.dumpInterrupted)") }
        return parts.joined(separator: " ")
    }
}
