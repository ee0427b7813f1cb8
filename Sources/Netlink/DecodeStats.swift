/// What the decoder met, counted. Every message and attribute it could not use
/// lands in one of these, so nothing is lost silently.
public struct DecodeStats: Sendable, Equatable {
    /// SOCK_DIAG_BY_FAMILY replies decoded into records.
    public var sockets: UInt64 = 0
    /// NLMSG_DONE messages (one per completed dump).
    public var dumpsDone: UInt64 = 0
    /// NLMSG_DONE carrying a negative error (the dump failed part way).
    public var dumpErrors: UInt64 = 0
    /// NLMSG_ERROR messages with a non-zero errno; the last errno is kept.
    public var netlinkErrors: UInt64 = 0
    public var lastErrno: Int32 = 0
    /// Messages flagged NLM_F_DUMP_INTR: the socket table changed during the
    /// dump, so it may have missed or repeated sockets.
    public var dumpInterrupted: UInt64 = 0
    /// Messages whose header claims more bytes than the buffer holds, or fewer
    /// than a header: the rest of that buffer is abandoned.
    public var truncatedMessages: UInt64 = 0
    /// Socket replies too short for an inet_diag_msg.
    public var shortSocketMessages: UInt64 = 0
    /// Attributes whose length is < 4 or runs past the message: the rest of
    /// that socket's attributes are abandoned; the socket is still emitted.
    public var malformedAttributes: UInt64 = 0
    /// Known attributes shorter than their payload needs: skipped.
    public var shortAttributes: UInt64 = 0
    /// Attribute types xtcp does not decode (newer kernels add some).
    public var unknownAttributes: UInt64 = 0
    /// Requests (NLM_F_REQUEST) found in the stream: captures hold them.
    public var requestsSeen: UInt64 = 0
    /// Replies whose sequence number is not the current dump's.
    public var foreignMessages: UInt64 = 0
    /// Message types a sock_diag dump does not send (and NLMSG_OVERRUN).
    public var unexpectedMessages: UInt64 = 0

    public init() {}

    public static func += (a: inout DecodeStats, b: DecodeStats) {
        a.sockets += b.sockets
        a.dumpsDone += b.dumpsDone
        a.dumpErrors += b.dumpErrors
        a.netlinkErrors += b.netlinkErrors
        if b.lastErrno != 0 { a.lastErrno = b.lastErrno }
        a.dumpInterrupted += b.dumpInterrupted
        a.truncatedMessages += b.truncatedMessages
        a.shortSocketMessages += b.shortSocketMessages
        a.malformedAttributes += b.malformedAttributes
        a.shortAttributes += b.shortAttributes
        a.unknownAttributes += b.unknownAttributes
        a.requestsSeen += b.requestsSeen
        a.foreignMessages += b.foreignMessages
        a.unexpectedMessages += b.unexpectedMessages
    }

    /// Problems, as opposed to the normal traffic of a dump.
    public var problems: UInt64 {
        dumpErrors + netlinkErrors + dumpInterrupted + truncatedMessages + shortSocketMessages
            + malformedAttributes + shortAttributes + foreignMessages + unexpectedMessages
    }
}
