import RecordFmt

extension NetlinkSocket {
    /// Sends `request` and decodes the replies as they arrive, until
    /// NLMSG_DONE or NLMSG_ERROR. `onDatagram` sees each received datagram
    /// first (for `-capture`). The decoder's counts are left in `decoder`.
    public func dump(
        _ request: InetDiagRequest,
        buffer: UnsafeMutableRawBufferPointer,
        decoder: inout DumpDecoder,
        record: inout FlatRecord,
        onDatagram: (UnsafeRawBufferPointer) -> Void = { _ in },
        onSocket: (inout FlatRecord) throws -> Void
    ) throws -> DumpProgress {
        try send(request.bytes)
        decoder.expectedSequence = request.sequence
        while true {
            guard case .bytes(let n) = try receive(into: buffer) else { continue }
            let datagram = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            onDatagram(datagram)
            let progress = try decoder.decode(datagram, into: &record, onSocket: onSocket)
            if progress != .more { return progress }
        }
    }
}
