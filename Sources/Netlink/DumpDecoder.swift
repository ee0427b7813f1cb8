import CKernelABI
import RecordFmt

/// Where a dump stands after a buffer was walked.
public enum DumpProgress: Equatable, Sendable {
    /// More messages are to come.
    case more
    /// NLMSG_DONE arrived: the dump is complete.
    case done
    /// NLMSG_ERROR arrived with this errno: the dump ended without data.
    case failed(errno: Int32)
}

/// Walks receive buffers of netlink messages (any number per buffer) and,
/// for each sock_diag reply, fills one reusable `FlatRecord` straight from the
/// buffer and hands it to the caller. One per netlinker; not thread-safe.
///
/// The walk is strict in the way libmnl is: a signed remaining length, a
/// header is used only when it fits, its length is checked against what is
/// left, and the cursor advances by the aligned length. A message that does
/// not fit ends the walk of that buffer (there is no way to find the next
/// one); a bad message that does fit is counted and skipped.
public struct DumpDecoder {
    public var attributes: DiagAttributeSet
    public var stats = DecodeStats()
    /// Replies to other requests are counted and skipped when set.
    public var expectedSequence: UInt32?
    /// Which kernel's tcp_info this is (its ECN word has two layouts).
    public var tcpInfoLayout: TCPInfoLayout

    public init(attributes: DiagAttributeSet = .defaultSet, tcpInfoLayout: TCPInfoLayout = .running) {
        self.attributes = attributes
        self.tcpInfoLayout = tcpInfoLayout
    }

    /// Decodes every message in `buffer`. `record`'s per-poll fields are left
    /// as they are; its per-socket fields are reset and filled for each
    /// socket before `onSocket` is called with it.
    @inlinable
    public mutating func decode(
        _ buffer: UnsafeRawBufferPointer,
        into record: inout FlatRecord,
        onSocket: (inout FlatRecord) throws -> Void
    ) rethrows -> DumpProgress {
        guard let base = buffer.baseAddress else { return .more }
        var offset = 0
        var remaining = buffer.count
        var progress = DumpProgress.more
        while remaining > 0 {
            guard remaining >= Int(XTCP_NLMSG_HDRLEN) else {
                stats.truncatedMessages &+= 1
                break
            }
            let message = base + offset
            let length = Int(RawBytes.u32(message, 0))
            guard length >= Int(XTCP_NLMSG_HDRLEN), length <= remaining else {
                stats.truncatedMessages &+= 1
                break
            }
            let type = RawBytes.u16(message, 4)
            let flags = RawBytes.u16(message, 6)
            let advance = min(RawBytes.align4(length), remaining)
            offset &+= advance
            remaining &-= advance

            if flags & UInt16(XTCP_NLM_F_REQUEST) != 0 {
                stats.requestsSeen &+= 1
                continue
            }
            if let expected = expectedSequence, RawBytes.u32(message, 8) != expected {
                stats.foreignMessages &+= 1
                continue
            }
            if flags & UInt16(XTCP_NLM_F_DUMP_INTR) != 0 {
                stats.dumpInterrupted &+= 1
            }
            let payload = message + Int(XTCP_NLMSG_HDRLEN)
            let payloadLength = length &- Int(XTCP_NLMSG_HDRLEN)
            switch Int32(type) {
            case Int32(XTCP_SOCK_DIAG_BY_FAMILY):
                guard payloadLength >= MemoryLayout<xtcp_inet_diag_msg>.size else {
                    stats.shortSocketMessages &+= 1
                    continue
                }
                record.resetSocketFields()
                decodeSocket(payload, length: payloadLength, into: &record)
                stats.sockets &+= 1
                try onSocket(&record)
            case Int32(XTCP_NLMSG_DONE):
                stats.dumpsDone &+= 1
                // The payload, when present, is the dump's int error (0 or -errno).
                if payloadLength >= 4, Int32(bitPattern: RawBytes.u32(payload, 0)) < 0 {
                    stats.dumpErrors &+= 1
                    // clamping: a corrupt Int32.min has no positive negation.
                    stats.lastErrno = Int32(clamping: Int32(bitPattern: RawBytes.u32(payload, 0)).magnitude)
                }
                progress = .done
            case Int32(XTCP_NLMSG_ERROR):
                // struct nlmsgerr { int error; struct nlmsghdr msg; }: 0 is an ACK.
                guard payloadLength >= 4 else {
                    stats.truncatedMessages &+= 1
                    continue
                }
                let error = Int32(bitPattern: RawBytes.u32(payload, 0))
                if error != 0 {
                    stats.netlinkErrors &+= 1
                    // The kernel sends -errno; clamping keeps a corrupt Int32.min from trapping.
                    stats.lastErrno = Int32(clamping: error.magnitude)
                    progress = .failed(errno: stats.lastErrno)
                }
            case Int32(XTCP_NLMSG_NOOP):
                continue
            default:
                stats.unexpectedMessages &+= 1
            }
        }
        return progress
    }
}
