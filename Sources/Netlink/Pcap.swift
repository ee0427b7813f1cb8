import CKernelABI
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A capture of netlink traffic: classic libpcap, link type 253
/// (LINKTYPE_NETLINK), each packet a 16-byte cooked header (packet type,
/// ARPHRD_NETLINK, address, netlink protocol; big-endian) followed by the
/// datagram exactly as recvmsg returned it. This is what nlmon, xtcp2 and
/// `xtcp -capture` write.
public struct PcapCapture {
    public struct Packet {
        public var timestampSeconds: UInt32
        public var timestampFraction: UInt32
        /// The netlink protocol from the cooked header (4 = sock_diag).
        public var netlinkProtocol: UInt16
        /// The datagram; a slice of the capture's bytes.
        public var datagram: ArraySlice<UInt8>
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case tooShort(Int)
        case badMagic(UInt32)
        case wrongLinkType(UInt32)

        public var description: String {
            switch self {
            case .tooShort(let n): return "not a pcap file: \(n) bytes is shorter than a pcap header"
            case .badMagic(let m): return "not a pcap file (magic 0x\(String(m, radix: 16)))"
            case .wrongLinkType(let t): return "not a netlink capture: link type \(t), expected \(XTCP_LINKTYPE_NETLINK) (LINKTYPE_NETLINK)"
            }
        }
    }

    public private(set) var packets: [Packet] = []
    /// Bytes at the end that do not make a whole packet record (a capture cut
    /// short); the packets before them are kept.
    public private(set) var trailingBytes = 0
    /// Packets too short for the cooked header, skipped.
    public private(set) var malformedPackets = 0

    public static func looksLikePcap(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        return [XTCP_PCAP_MAGIC_USEC, XTCP_PCAP_MAGIC_NSEC].contains { $0 == magic || $0 == magic.byteSwapped }
    }

    public init(bytes: [UInt8]) throws {
        let headerLength = Int(XTCP_PCAP_FILE_HEADER_LEN)
        guard bytes.count >= headerLength else { throw Error.tooShort(bytes.count) }
        let magic = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let swapped: Bool
        switch magic {
        case XTCP_PCAP_MAGIC_USEC, XTCP_PCAP_MAGIC_NSEC: swapped = false
        case XTCP_PCAP_MAGIC_USEC.byteSwapped, XTCP_PCAP_MAGIC_NSEC.byteSwapped: swapped = true
        default: throw Error.badMagic(magic)
        }
        func u32(_ offset: Int) -> UInt32 {
            let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
            return swapped ? v.byteSwapped : v
        }
        let linkType = u32(20) & 0x0fff_ffff  // the top bits may carry FCS flags
        guard linkType == UInt32(XTCP_LINKTYPE_NETLINK) else { throw Error.wrongLinkType(linkType) }

        var offset = headerLength
        let recordHeader = Int(XTCP_PCAP_RECORD_HEADER_LEN)
        let cooked = Int(XTCP_NETLINK_COOKED_HEADER_LEN)
        while offset < bytes.count {
            guard bytes.count - offset >= recordHeader else { break }
            let captured = Int(u32(offset + 8))
            let start = offset + recordHeader
            guard captured <= bytes.count - start else { break }
            defer { offset = start + captured }
            guard captured >= cooked else {
                malformedPackets += 1
                continue
            }
            let proto = UInt16(bytes[start + 14]) << 8 | UInt16(bytes[start + 15])
            packets.append(Packet(
                timestampSeconds: u32(offset), timestampFraction: u32(offset + 4),
                netlinkProtocol: proto, datagram: bytes[(start + cooked)..<(start + captured)]))
        }
        trailingBytes = bytes.count - offset
    }
}

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
