import Netlink
import Platform

/// A netlink error, by where it came and its errno: a dump's NLMSG_ERROR
/// reply, a failed receive on the socket (ENOBUFS when it overflowed), a
/// socket that could not be had for the dump (the namespace could not be
/// entered, no thread to enter it, no descriptor left), or a receive ring
/// that failed before the dump began.
public struct NetlinkError: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable { case nlmsgError = "nlmsg_error", receive, socket, ring }
    public var kind: Kind
    public var errno: Int32

    public init(kind: Kind, errno: Int32) {
        self.kind = kind
        self.errno = errno
    }

    /// The errno's symbolic name (`ENOBUFS`), a bounded label value.
    public var errnoName: String { Errno.name(errno) }
}

/// What dump sessions did with the kernel: dumps by how they ended, what
/// the decoder met, sockets left out as unchanged. Plain values, added up
/// after each poll (no shared counter on the hot path).
public struct DumpCounts: Sendable, Equatable {
    public var dumps: UInt64 = 0
    public var dumpsDone: UInt64 = 0
    /// NLMSG_ERROR instead of a dump, a failed receive, a socket that
    /// could not be had, or a ring that failed first; each also in
    /// `netlinkErrors`, by kind and errno.
    public var dumpsFailed: UInt64 = 0
    /// No reply within `-nltimeout`.
    public var dumpsStalled: UInt64 = 0
    /// Still running (or not begun) when the poll's `-timeout` came.
    public var dumpsTimedOut: UInt64 = 0
    /// Dumps not begun because their namespace was gone (its file deleted
    /// or its process ended since the last reconcile): nothing was there
    /// to lose, so they are not incomplete; the next reconcile drops it.
    public var namespacesVanished: UInt64 = 0
    /// `-changesOnly`: sockets seen but not sent, unchanged since their
    /// last record.
    public var unchanged: UInt64 = 0
    /// `-resolveContainerId`: owner lookups (when a row's cgroup is not the
    /// row before's) and walks of the cgroup hierarchy.
    public var owners = CgroupIndex.Counts()
    /// The uplinks', lldpd's and the container runtime's reads.
    public var sources = EnrichCounts()
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

    public var incomplete: UInt64 { dumpsFailed + dumpsStalled + dumpsTimedOut }

    /// A dump that failed, counted with how.
    mutating func failed(_ kind: NetlinkError.Kind, errno: Int32, dumps count: UInt64 = 1) {
        dumpsFailed += count
        netlinkErrors[NetlinkError(kind: kind, errno: errno), default: 0] += count
    }

    /// Failed dumps of one kind.
    public func failures(_ kind: NetlinkError.Kind) -> UInt64 {
        netlinkErrors.reduce(0) { $0 + ($1.key.kind == kind ? $1.value : 0) }
    }

    public static func += (a: inout DumpCounts, b: DumpCounts) {
        a.dumps += b.dumps
        a.dumpsDone += b.dumpsDone
        a.dumpsFailed += b.dumpsFailed
        a.dumpsStalled += b.dumpsStalled
        a.dumpsTimedOut += b.dumpsTimedOut
        a.namespacesVanished += b.namespacesVanished
        a.unchanged += b.unchanged
        a.owners += b.owners
        a.sources += b.sources
        a.decode += b.decode
        a.netlinkErrors.merge(b.netlinkErrors, uniquingKeysWith: +)
        a.dumpSeconds += b.dumpSeconds
    }

    /// The failure part of a poll's line: zero counts left out.
    var failureParts: [String] {
        var parts: [String] = []
        if dumpsFailed > 0 { parts.append("dumpsFailed=\(dumpsFailed)" + (decode.lastErrno != 0 ? "(errno \(decode.lastErrno))" : "")) }
        if namespacesVanished > 0 { parts.append("namespacesVanished=\(namespacesVanished)") }
        if dumpsStalled > 0 { parts.append("dumpsStalled=\(dumpsStalled)") }
        if dumpsTimedOut > 0 { parts.append("dumpsTimedOut=\(dumpsTimedOut)") }
        if decode.problems > 0 { parts.append("decodeProblems=\(decode.problems)") }
        if decode.dumpInterrupted > 0 { parts.append("dumpInterrupted=\(decode.dumpInterrupted)") }
        return parts
    }
}

/// `-closeEvents`: sockets the kernel reported destroyed; messages it could
/// not deliver because a receive queue was full (lost); and the times a
/// queue overflowed (ENOBUFS).
public struct CloseCounts: Sendable, Equatable {
    public var events: UInt64 = 0
    public var lost: UInt64 = 0
    public var overflows: UInt64 = 0

    public init() {}

    public static func += (a: inout CloseCounts, b: CloseCounts) {
        a.events += b.events
        a.lost += b.lost
        a.overflows += b.overflows
    }
}
