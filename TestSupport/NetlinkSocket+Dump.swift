import RecordFmt

/// How one dump ended.
public enum DumpOutcome: Equatable, Sendable {
    /// NLMSG_DONE: every socket was sent.
    case done
    /// NLMSG_ERROR with this errno (EINVAL for a refused filter).
    case failed(errno: Int32)
    /// Nothing arrived within the socket's receive timeout: the dump is
    /// incomplete and the socket still holds its state (close it).
    case timedOut
    /// `shouldContinue` said stop (the poll's deadline passed): incomplete.
    case abandoned
}

extension NetlinkSocket {
    /// Sends `request` and readies `decoder` for its replies (the receiving
    /// is the caller's: `dump` below, or an io_uring ring).
    public func startDump(_ request: InetDiagRequest, decoder: inout DumpDecoder) throws {
        try send(request.bytes)
        decoder.expectedSequence = request.sequence
    }

    /// Sends `request` and decodes the replies as they arrive, until
    /// NLMSG_DONE, NLMSG_ERROR, a receive timeout, or `shouldContinue`
    /// returning false between datagrams. `onDatagram` sees each received
    /// datagram first (for `-capture`). The decoder's counts are left in
    /// `decoder`.
    public func dump(
        _ request: InetDiagRequest,
        buffer: UnsafeMutableRawBufferPointer,
        decoder: inout DumpDecoder,
        record: inout FlatRecord,
        onDatagram: (UnsafeRawBufferPointer) -> Void = { _ in },
        shouldContinue: () -> Bool = { true },
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
            case .more: if !shouldContinue() { return .abandoned }
            }
        }
    }
}
