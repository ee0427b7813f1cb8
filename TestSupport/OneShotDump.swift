import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// One complete dump of the calling thread's network namespace, AF_INET then
/// AF_INET6, decoded as it arrives, optionally recorded to a pcap. The
/// building block of `-capture` and of tests; the daemon's netlinkers run
/// the same loop with pooled buffers.
public struct OneShotDump {
    public var attributes: DiagAttributeSet
    public var bufferSize: Int

    public init(attributes: DiagAttributeSet = .defaultSet, bufferSize: Int = 64 * 1024) {
        self.attributes = attributes
        self.bufferSize = bufferSize
    }

    /// Runs the dump; `onSocket` sees each record. Returns the decoder's counts.
    @discardableResult
    public func run(
        record: inout FlatRecord,
        capture: PcapWriter? = nil,
        onSocket: (inout FlatRecord) throws -> Void
    ) throws -> DecodeStats {
        let socket = try NetlinkSocket()
        var stats = DecodeStats()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var sequence = UInt32(truncatingIfNeeded: time(nil))
        for family in InetDiagRequest.Family.allCases {
            sequence &+= 1
            let request = InetDiagRequest(family: family, attributes: attributes, sequence: sequence)
            // Recorded before it is sent, as nlmon would see it.
            request.bytes.withUnsafeBytes { capture?.write(datagram: $0, outgoing: true, timestampMicroseconds: UInt64(WallClock.nanoseconds() / 1000)) }
            var decoder = DumpDecoder(attributes: attributes)
            _ = try socket.dump(
                request,
                buffer: buffer, decoder: &decoder, record: &record,
                onDatagram: { capture?.write(datagram: $0, outgoing: false, timestampMicroseconds: UInt64(WallClock.nanoseconds() / 1000)) },
                onSocket: onSocket)
            stats += decoder.stats
        }
        return stats
    }
}
