import Netlink
import RecordFmt

/// How one dump ended, for the Netlink-tier tests that dump a socket by
/// hand (the daemon's dumps end in `DumpSession`).
public enum DumpOutcome: Equatable, Sendable {
    /// NLMSG_DONE: every socket was sent.
    case done
    /// NLMSG_ERROR with this errno (EINVAL for a refused filter).
    case failed(errno: Int32)
    /// Nothing arrived within the socket's receive timeout: the dump is
    /// incomplete and the socket still holds its state (close it).
    case timedOut
}

extension NetlinkSocket {
    /// A test's dump: sends `request` and decodes the replies as they
    /// arrive (`onDatagram` sees each first), until NLMSG_DONE, NLMSG_ERROR
    /// or a receive timeout. The decoder's counts are left in `decoder`.
    public func dump(
        _ request: InetDiagRequest,
        buffer: UnsafeMutableRawBufferPointer,
        decoder: inout DumpDecoder,
        record: inout FlatRecord,
        onDatagram: (UnsafeRawBufferPointer) -> Void = { _ in },
        onSocket: (inout FlatRecord) throws -> Void
    ) throws -> DumpOutcome {
        try startDump(request, decoder: &decoder)
        while true {
            guard case .bytes(let n) = try receive(into: buffer) else { return .timedOut }
            let datagram = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            onDatagram(datagram)
            switch try decoder.decode(datagram, into: &record, onSocket: onSocket) {
            case .done: return .done
            case .failed(let errno): return .failed(errno: errno)
            case .more: continue
            }
        }
    }
}
