import CKernelABI
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Writes a LINKTYPE_NETLINK pcap, one packet per datagram.
public final class PcapWriter {
    private let file: FileDescriptor
    public let path: String

    public init(path: String) throws(OutputFile.Refusal) {
        file = try OutputFile.open(path, truncating: true)
        self.path = path
        var header = [UInt8]()
        func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        func append16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        append32(XTCP_PCAP_MAGIC_USEC)
        append16(2); append16(4)  // version 2.4
        append32(0); append32(0)  // thiszone, sigfigs
        append32(262_144)         // snaplen
        append32(UInt32(XTCP_LINKTYPE_NETLINK))
        do { try Syscall.writeAll(descriptor: file.rawValue, bytes: header) } catch { throw .system(error) }
    }

    /// Packet type in the cooked header: 4 (PACKET_OUTGOING) for what xtcp
    /// sent, 0 (PACKET_HOST) for what the kernel sent.
    public func write(datagram: UnsafeRawBufferPointer, outgoing: Bool, timestampMicroseconds: UInt64) throws(SystemError) {
        var record = [UInt8]()
        record.reserveCapacity(32 + datagram.count)
        func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { record.append(contentsOf: $0) } }
        func append16BE(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { record.append(contentsOf: $0) } }
        let length = UInt32(datagram.count + Int(XTCP_NETLINK_COOKED_HEADER_LEN))
        append32(UInt32(truncatingIfNeeded: timestampMicroseconds / 1_000_000))
        append32(UInt32(truncatingIfNeeded: timestampMicroseconds % 1_000_000))
        append32(length)
        append32(length)
        append16BE(outgoing ? 4 : 0)
        append16BE(UInt16(XTCP_ARPHRD_NETLINK))
        append16BE(0)
        record.append(contentsOf: [UInt8](repeating: 0, count: 8))
        append16BE(UInt16(XTCP_NETLINK_SOCK_DIAG))
        record.append(contentsOf: datagram)
        try Syscall.writeAll(descriptor: file.rawValue, bytes: record)
    }
}
