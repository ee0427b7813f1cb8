import CKernelABI
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Reads recorded sock_diag traffic for `-replay` one datagram at a time,
/// in bounded memory (the largest record, never the file): a
/// LINKTYPE_NETLINK pcap (nlmon, xtcp2) or pcapng (dumpcap, tshark,
/// `xtcp -capture`), or the raw reply stream that `ss -D FILE` writes.
///
/// A pcap's (or a pcapng's interface's) link type is LINKTYPE_NETLINK
/// (253), each packet a 16-byte cooked header
/// (packet type, ARPHRD_NETLINK, address, netlink protocol; big-endian)
/// then the datagram exactly as recvmsg returned it; only sock_diag's are
/// handed on. An `ss -D` stream is whole netlink messages back to back: it
/// is handed on in pieces of whole messages, each ending at the latest
/// with a dump's NLMSG_DONE or NLMSG_ERROR, so every dump of the file
/// (IPv4, then IPv6) is replayed.
public struct CaptureReader: ~Copyable {
    public enum Format: String, Sendable { case pcap, pcapng, ssRawDump = "ss -D" }

    public enum Error: Swift.Error, CustomStringConvertible {
        case unrecognised(path: String)
        case pcap(path: String, PcapHeaderError)
        case read(path: String, SystemError)
        /// `stop` said to end before the first bytes came.
        case stopped(path: String)

        public var description: String {
            switch self {
            case .unrecognised(let path): "\(path): neither a LINKTYPE_NETLINK pcap nor an `ss -D` netlink dump"
            case .pcap(let path, let error): "\(path): \(error)"
            case .read(let path, let error): "\(path): \(error)"
            case .stopped(let path): "\(path): stopped before the capture's first bytes came"
            }
        }
    }

    public enum PcapHeaderError: Swift.Error, CustomStringConvertible, Equatable {
        case tooShort(Int)
        case wrongLinkType(UInt32)
        case badSection

        public var description: String {
            switch self {
            case .tooShort(let n): "not a pcap file: \(n) bytes is shorter than a pcap header"
            case .badSection: "not a pcapng file: its section header is cut short or has no byte-order magic"
            case .wrongLinkType(let t): "not a netlink capture: link type \(t), expected \(XTCP_LINKTYPE_NETLINK) (LINKTYPE_NETLINK)"
            }
        }
    }

    /// The largest record read whole (a datagram of the largest
    /// `-packetSize`, with room): past it, the rest of the input is not
    /// a capture's and is counted as trailing bytes.
    static let largestRecord = (1 << 20) + 64

    public let format: Format
    let path: String
    var input: BufferedInput
    /// pcap and pcapng: the byte order (a pcapng's section may change it).
    var swapped: Bool
    /// pcap: the unit of the timestamps' fraction.
    let nanoseconds: Bool
    /// pcapng: the current section's interfaces, in order: whether each
    /// is netlink, and the unit of its timestamps.
    var interfaces: [(netlink: Bool, resolution: UInt8)] = []
    /// The kernel release the capture says it was taken on (a pcapng's
    /// shb_os, "Linux 7.0.3"); nil when it says none, as a pcap cannot.
    public internal(set) var kernelRelease: KernelRelease?
    /// Bytes at the end that do not make a whole record (a capture cut
    /// short, or what follows a record too large to be one).
    public internal(set) var trailingBytes = 0
    /// pcap packets too short for the cooked header, skipped.
    public internal(set) var malformedPackets = 0
    /// The signal that ended the reading before the input ended, if one did.
    public var stoppedBy: Int32? { input.stoppedBy }

    /// Opens `path`; what it is is known from its first bytes, so a file
    /// that is no capture is refused before anything is read past them.
    /// `stop` is asked before every read and while a pipe is silent: what
    /// it returns (a signal) ends the reading there, as if the input ended.
    public init(path: String, stop: (() -> Int32?)? = nil) throws(Error) {
        let file: FileDescriptor
        do { file = try Syscall.open(path: path, flags: O_RDONLY) } catch { throw .read(path: path, error) }
        try self.init(BufferedInput(file: file, stop: stop), path: path)
    }

    /// A capture already in memory (the fuzzer's, the tests').
    public init(bytes: [UInt8], path: String = "capture") throws(Error) {
        try self.init(BufferedInput(bytes: bytes), path: path)
    }

    private init(_ input: consuming BufferedInput, path: String) throws(Error) {
        var input = input
        let layout = try Self.layout(of: &input, path: path)
        // Every field at once, after the last throw: a noncopyable value
        // cannot be left half made.
        self.path = path
        format = layout.format
        swapped = layout.swapped
        nanoseconds = layout.nanoseconds
        kernelRelease = layout.release
        self.input = input
    }

    /// What the first bytes say the input is; a pcap's header is consumed.
    private static func layout(of input: inout BufferedInput, path: String) throws(Error)
        -> (format: Format, swapped: Bool, nanoseconds: Bool, release: KernelRelease?) {
        do {
            _ = try input.ensure(Int(XTCP_PCAP_FILE_HEADER_LEN))
        } catch {
            throw .read(path: path, error)
        }
        if input.stoppedBy != nil, input.available < Int(XTCP_PCAP_FILE_HEADER_LEN) { throw .stopped(path: path) }
        let magic = input.available >= 4 ? input.u32(at: 0) : 0
        switch magic {
        case XTCP_PCAP_MAGIC_USEC, XTCP_PCAP_MAGIC_NSEC, XTCP_PCAP_MAGIC_USEC.byteSwapped, XTCP_PCAP_MAGIC_NSEC.byteSwapped:
            let swapped = magic == XTCP_PCAP_MAGIC_USEC.byteSwapped || magic == XTCP_PCAP_MAGIC_NSEC.byteSwapped
            let nanoseconds = magic == XTCP_PCAP_MAGIC_NSEC || magic == XTCP_PCAP_MAGIC_NSEC.byteSwapped
            let header = Int(XTCP_PCAP_FILE_HEADER_LEN)
            guard input.available >= header else { throw .pcap(path: path, .tooShort(input.available)) }
            let linkType = input.u32(at: 20, swapped: swapped) & 0x0fff_ffff  // the top bits may carry FCS flags
            guard linkType == UInt32(XTCP_LINKTYPE_NETLINK) else { throw .pcap(path: path, .wrongLinkType(linkType)) }
            input.consume(header)
            return (.pcap, swapped, nanoseconds, nil)
        case Pcapng.sectionHeader:
            let section = try openSection(&input, path: path)
            return (.pcapng, section.swapped, false, section.release)
        default:
            guard looksLikeNetlink(input) else { throw .unrecognised(path: path) }
            return (.ssRawDump, false, false, nil)
        }
    }

    /// A netlink message header of a dump's reply: a length that fits,
    /// and a type a dump answers with.
    private static func looksLikeNetlink(_ input: borrowing BufferedInput) -> Bool {
        guard input.available >= Int(XTCP_NLMSG_HDRLEN) else { return false }
        let length = input.u32(at: 0)
        let type = input.u16(at: 4)
        return length >= UInt32(XTCP_NLMSG_HDRLEN) && length <= UInt32(largestRecord)
            && [UInt16(XTCP_SOCK_DIAG_BY_FAMILY), UInt16(XTCP_NLMSG_DONE), UInt16(XTCP_NLMSG_ERROR)].contains(type)
    }

    /// Hands each sock_diag datagram to `body`, in capture order, with the
    /// time it was captured (ns since the epoch; 0 for `ss -D`, which
    /// records none). The bytes are valid during the call only.
    public mutating func forEachDatagram(_ body: (UnsafeRawBufferPointer, Int64) -> Void) throws(Error) {
        do {
            switch format {
            case .pcap: try readPackets(body)
            case .pcapng: try readBlocks(body)
            case .ssRawDump: try readMessages(body)
            }
        } catch {
            throw .read(path: path, error)
        }
    }

    private mutating func readPackets(_ body: (UnsafeRawBufferPointer, Int64) -> Void) throws(SystemError) {
        let recordHeader = Int(XTCP_PCAP_RECORD_HEADER_LEN)
        while try input.ensure(recordHeader) {
            let captured = Int(input.u32(at: 8, swapped: swapped))
            guard captured <= Self.largestRecord, try input.ensure(recordHeader + captured) else { break }
            let seconds = Int64(input.u32(at: 0, swapped: swapped))
            let fraction = Int64(input.u32(at: 4, swapped: swapped))
            handOnPacket(at: recordHeader, captured: captured, timestamp: seconds * 1_000_000_000 + fraction * (nanoseconds ? 1 : 1000), body)
            input.consume(recordHeader + captured)
        }
        trailingBytes = try input.drain()
    }

    /// A captured packet at `at` of the unread bytes, `captured` long: its
    /// cooked header's protocol says whether it is sock_diag's (handed on
    /// without the header); one too short for the header is counted.
    mutating func handOnPacket(at: Int, captured: Int, timestamp: Int64, _ body: (UnsafeRawBufferPointer, Int64) -> Void) {
        let cooked = Int(XTCP_NETLINK_COOKED_HEADER_LEN)
        guard captured >= cooked else {
            malformedPackets += 1
            return
        }
        let proto = input.withBytes(from: at + 14, count: 2) { UInt16($0[0]) << 8 | UInt16($0[1]) }
        if proto == UInt16(XTCP_NETLINK_SOCK_DIAG) {
            input.withBytes(from: at + cooked, count: captured - cooked) { body($0, timestamp) }
        }
    }

    /// Pieces of whole messages, of about 32 KiB, each ending at the latest
    /// with a dump's end; a last message cut short goes with the last piece
    /// (the decoder counts it), a length no message has ends the reading.
    private mutating func readMessages(_ body: (UnsafeRawBufferPointer, Int64) -> Void) throws(SystemError) {
        let header = Int(XTCP_NLMSG_HDRLEN)
        var piece = 0
        func handOn(_ input: inout BufferedInput) {
            guard piece > 0 else { return }
            input.withBytes(count: piece) { body($0, 0) }
            input.consume(piece)
            piece = 0
        }
        while try input.ensure(piece + header) {
            let length = Int(input.u32(at: piece))
            guard length >= header, length <= Self.largestRecord else {
                handOn(&input)
                trailingBytes = try input.drain()
                return
            }
            let type = input.u16(at: piece + 4)
            let aligned = (length + 3) & ~3
            _ = try input.ensure(piece + aligned)
            piece = min(piece + aligned, input.available)
            if type == UInt16(XTCP_NLMSG_DONE) || type == UInt16(XTCP_NLMSG_ERROR) || piece >= 32 * 1024 {
                handOn(&input)
            }
        }
        // The bytes left are less than a header: they go with the last
        // piece, as a message cut short.
        piece = input.available
        handOn(&input)
    }
}
