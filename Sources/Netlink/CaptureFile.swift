import CKernelABI
import Platform

/// A file of recorded sock_diag traffic for `-replay`: a LINKTYPE_NETLINK
/// pcap (nlmon, xtcp2, `xtcp -capture`), or the raw reply stream that
/// `ss -D FILE` writes.
public struct CaptureFile {
    public enum Format: String, Sendable { case pcap, ssRawDump = "ss -D" }

    public enum Error: Swift.Error, CustomStringConvertible {
        case unrecognised(path: String)
        case pcap(path: String, PcapCapture.Error)

        public var description: String {
            switch self {
            case .unrecognised(let path):
                return "\(path): neither a LINKTYPE_NETLINK pcap nor an `ss -D` netlink dump"
            case .pcap(let path, let error):
                return "\(path): \(error)"
            }
        }
    }

    public let format: Format
    /// The netlink datagrams, in capture order (requests included: the
    /// decoder recognises and skips them).
    public let datagrams: [ArraySlice<UInt8>]
    /// When each datagram was captured, in ns since the epoch (0 when the
    /// format records no time, as with `ss -D`).
    public let timestampsNs: [Int64]
    /// Bytes at the end that do not make a whole pcap record.
    public let trailingBytes: Int

    public init(path: String) throws {
        try self.init(bytes: FileBytes.read(path: path), path: path)
    }

    public init(bytes: [UInt8], path: String = "capture") throws {
        if PcapCapture.looksLikePcap(bytes) {
            do {
                let capture = try PcapCapture(bytes: bytes)
                format = .pcap
                let packets = capture.packets.filter { $0.netlinkProtocol == UInt16(XTCP_NETLINK_SOCK_DIAG) }
                datagrams = packets.map(\.datagram)
                let nanosecondMagic = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } == XTCP_PCAP_MAGIC_NSEC
                timestampsNs = packets.map {
                    Int64($0.timestampSeconds) * 1_000_000_000 + Int64($0.timestampFraction) * (nanosecondMagic ? 1 : 1000)
                }
                trailingBytes = capture.trailingBytes
            } catch let error as PcapCapture.Error {
                throw Error.pcap(path: path, error)
            }
        } else if Self.looksLikeNetlink(bytes) {
            // ss -D writes each received buffer as it came: the file is one
            // stream of whole netlink messages.
            format = .ssRawDump
            datagrams = [bytes[...]]
            timestampsNs = [0]
            trailingBytes = 0
        } else {
            throw Error.unrecognised(path: path)
        }
    }

    static func looksLikeNetlink(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= Int(XTCP_NLMSG_HDRLEN) else { return false }
        return bytes.withUnsafeBytes { raw in
            let length = raw.loadUnaligned(as: UInt32.self)
            let type = raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
            return length >= UInt32(XTCP_NLMSG_HDRLEN) && length <= UInt32(bytes.count)
                && [UInt16(XTCP_SOCK_DIAG_BY_FAMILY), UInt16(XTCP_NLMSG_DONE), UInt16(XTCP_NLMSG_ERROR)].contains(type)
        }
    }
}
