import CKernelABI
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Writes a pcapng of netlink traffic, one packet per datagram: a section
/// header that records the system (`shb_os` "Linux RELEASE", so that a
/// replay knows which kernel's tcp_info it holds) and what wrote it, one
/// LINKTYPE_NETLINK interface with nanosecond timestamps, then an
/// enhanced packet block per datagram, its data a 16-byte cooked header
/// (as nlmon gives) and the datagram. tshark and Wireshark read it as
/// they read nlmon's captures.
public final class PcapngWriter {
    private let file: FileDescriptor
    public let path: String
    /// One block's bytes, reused.
    private var block: [UInt8] = []

    /// `release` is the kernel's the traffic comes from (the running one).
    public init(path: String, release: KernelRelease = .current, application: String) throws(OutputFile.Refusal) {
        file = try OutputFile.open(path, truncating: true)
        self.path = path
        beginBlock(Pcapng.sectionHeader)
        append32(Pcapng.byteOrderMagic)
        append16(1); append16(0)         // version 1.0
        append32(0xffff_ffff); append32(0xffff_ffff)  // section length: not given
        appendOption(Pcapng.sectionOS, Array("Linux \(release)".utf8))
        appendOption(Pcapng.sectionApplication, Array(application.utf8))
        append32(0)                      // end of options
        endBlock()
        beginBlock(Pcapng.interfaceDescription)
        append16(UInt16(XTCP_LINKTYPE_NETLINK)); append16(0)
        append32(262_144)                // snaplen
        appendOption(Pcapng.timestampResolution, [9])  // nanoseconds
        append32(0)
        endBlock()
        do { try flush() } catch { throw .system(error) }
    }

    /// Packet type in the cooked header: 4 (PACKET_OUTGOING) for what xtcp
    /// sent, 0 (PACKET_HOST) for what the kernel sent.
    public func write(datagram: UnsafeRawBufferPointer, outgoing: Bool, timestampNanoseconds: UInt64) throws(SystemError) {
        let captured = UInt32(datagram.count + Int(XTCP_NETLINK_COOKED_HEADER_LEN))
        beginBlock(Pcapng.enhancedPacket)
        append32(0)                      // interface 0
        append32(UInt32(truncatingIfNeeded: timestampNanoseconds >> 32))
        append32(UInt32(truncatingIfNeeded: timestampNanoseconds))
        append32(captured); append32(captured)
        append16BE(outgoing ? 4 : 0)
        append16BE(UInt16(XTCP_ARPHRD_NETLINK))
        append16BE(0)
        block.append(contentsOf: repeatElement(0, count: 8))
        append16BE(UInt16(XTCP_NETLINK_SOCK_DIAG))
        block.append(contentsOf: datagram)
        pad()
        endBlock()
        try flush()
    }

    /// Where the block being written starts in `block` (the section
    /// header and the interface are two blocks of one write).
    private var blockStart = 0

    private func beginBlock(_ type: UInt32) {
        blockStart = block.count
        append32(type)
        append32(0)  // the total length, set by endBlock
    }

    /// Sets the block's total length and appends it again, as pcapng ends
    /// every block.
    private func endBlock() {
        let length = UInt32(block.count - blockStart + 4)
        withUnsafeBytes(of: length.littleEndian) { block.replaceSubrange((blockStart + 4)..<(blockStart + 8), with: $0) }
        append32(length)
    }

    private func appendOption(_ code: UInt16, _ value: [UInt8]) {
        append16(code); append16(UInt16(value.count))
        block.append(contentsOf: value)
        pad()
    }

    private func pad() { block.append(contentsOf: repeatElement(0, count: Pcapng.padded(block.count) - block.count)) }
    private func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { block.append(contentsOf: $0) } }
    private func append16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { block.append(contentsOf: $0) } }
    private func append16BE(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { block.append(contentsOf: $0) } }

    private func flush() throws(SystemError) {
        try Syscall.writeAll(descriptor: file.rawValue, bytes: block)
        block.removeAll(keepingCapacity: true)
    }
}
