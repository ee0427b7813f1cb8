import CKernelABI
import Platform

/// pcapng: a section header (byte order, the system it was taken on), the
/// interfaces it describes (link type, timestamp unit), then packets, each
/// naming its interface. Only LINKTYPE_NETLINK interfaces' packets are
/// read; blocks of other types are skipped whole.
extension CaptureReader {
    /// The largest block read whole: a packet of the largest record with
    /// its headers and some options.
    static var largestBlock: Int { largestRecord + 4096 }

    /// The section header that starts a pcapng, and its first interface,
    /// so that a capture of another link type is refused at open: the
    /// byte order and the kernel release it records.
    static func openSection(_ input: inout BufferedInput, path: String) throws(Error) -> (swapped: Bool, release: KernelRelease?) {
        let section: (swapped: Bool, release: KernelRelease?)?
        var linkType: UInt32?
        do throws(SystemError) {
            section = try readSectionHeader(&input)
            if let section { linkType = try firstLinkType(&input, swapped: section.swapped) }
        } catch {
            throw .read(path: path, error)
        }
        guard let section else { throw .pcap(path: path, .badSection) }
        if let linkType, linkType != UInt32(XTCP_LINKTYPE_NETLINK) { throw .pcap(path: path, .wrongLinkType(linkType)) }
        return (section.swapped, section.release)
    }

    /// The link type of an interface block at the start of the unread
    /// bytes (not consumed); nil when the next block is another, or cut short.
    private static func firstLinkType(_ input: inout BufferedInput, swapped: Bool) throws(SystemError) -> UInt32? {
        guard try input.ensure(8), input.u32(at: 0, swapped: swapped) == Pcapng.interfaceDescription else { return nil }
        let length = Int(input.u32(at: 4, swapped: swapped))
        guard length >= 20, length <= largestBlock, try input.ensure(length) else { return nil }
        return UInt32(input.u16(at: 8, swapped: swapped))
    }

    /// A section header block at the start of the unread bytes, consumed:
    /// its byte order and the release its shb_os names ("Linux 7.0.3").
    /// nil (nothing consumed) if it is not a whole one.
    private static func readSectionHeader(_ input: inout BufferedInput) throws(SystemError) -> (swapped: Bool, release: KernelRelease?)? {
        guard try input.ensure(16) else { return nil }
        let magic = input.u32(at: 8)
        guard magic == Pcapng.byteOrderMagic || magic == Pcapng.byteOrderMagic.byteSwapped else { return nil }
        let swapped = magic != Pcapng.byteOrderMagic
        let length = Int(input.u32(at: 4, swapped: swapped))
        guard length >= 28, length % 4 == 0, length <= largestBlock, try input.ensure(length) else { return nil }
        var release: KernelRelease?
        forEachOption(of: input, from: 24, to: length - 4, swapped: swapped) { code, value, count in
            guard code == Pcapng.sectionOS, release == nil else { return }
            let text = input.withBytes(from: value, count: count) { String(decoding: $0, as: UTF8.self) }
            if text.contains("Linux") { release = KernelRelease(finding: text) }
        }
        input.consume(length)
        return (swapped, release)
    }

    /// Calls `body(code, offset, length)` for each option between `from`
    /// and `to` of the unread bytes, until the end-of-options code.
    private static func forEachOption(of input: borrowing BufferedInput, from: Int, to end: Int, swapped: Bool,
                                      _ body: (UInt16, Int, Int) -> Void) {
        var at = from
        while at + 4 <= end {
            let code = input.u16(at: at, swapped: swapped)
            let count = Int(input.u16(at: at + 2, swapped: swapped))
            guard code != Pcapng.endOfOptions, at + 4 + count <= end else { return }
            body(code, at + 4, count)
            at += 4 + Pcapng.padded(count)
        }
    }

    mutating func readBlocks(_ body: (UnsafeRawBufferPointer, Int64) -> Void) throws(SystemError) {
        while try input.ensure(8) {
            let type = input.u32(at: 0, swapped: swapped)
            if type == Pcapng.sectionHeader {
                // A new section: its own byte order and interfaces.
                guard let section = try Self.readSectionHeader(&input) else { break }
                swapped = section.swapped
                interfaces = []
                continue
            }
            let length = Int(input.u32(at: 4, swapped: swapped))
            guard length >= Pcapng.blockOverhead, length % 4 == 0, length <= Self.largestBlock, try input.ensure(length) else { break }
            switch type {
            case Pcapng.interfaceDescription where length >= 20:
                let netlink = UInt32(input.u16(at: 8, swapped: swapped)) == UInt32(XTCP_LINKTYPE_NETLINK)
                var resolution: UInt8 = 6
                Self.forEachOption(of: input, from: 16, to: length - 4, swapped: swapped) { code, value, count in
                    if code == Pcapng.timestampResolution, count >= 1 {
                        resolution = input.withBytes(from: value, count: 1) { $0[0] }
                    }
                }
                interfaces.append((netlink, resolution))
            case Pcapng.enhancedPacket where length >= 32:
                let interface = Int(input.u32(at: 8, swapped: swapped))
                let captured = Int(input.u32(at: 20, swapped: swapped))
                guard interface < interfaces.count, interfaces[interface].netlink else { break }
                guard 28 + Pcapng.padded(captured) + 4 <= length else {
                    malformedPackets += 1
                    break
                }
                let ticks = UInt64(input.u32(at: 12, swapped: swapped)) << 32 | UInt64(input.u32(at: 16, swapped: swapped))
                handOnPacket(at: 28, captured: captured, timestamp: Pcapng.nanoseconds(ticks, resolution: interfaces[interface].resolution), body)
            case Pcapng.simplePacket where length >= 16:
                // Interface 0's, no timestamp; as long as the block holds
                // (the original length may be longer than what was kept).
                guard interfaces.first?.netlink == true else { break }
                let captured = min(Int(input.u32(at: 8, swapped: swapped)), length - 16)
                handOnPacket(at: 12, captured: captured, timestamp: 0, body)
            default:
                break
            }
            input.consume(length)
        }
        trailingBytes = try input.drain()
    }
}
