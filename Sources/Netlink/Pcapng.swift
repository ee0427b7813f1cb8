/// pcapng (the format of dumpcap, tshark and Wireshark, and of
/// `xtcp -capture`): the numbers both the writer and the reader need.
/// Every block is `u32 type, u32 total length, body, u32 total length`,
/// the body padded to 4 bytes; options are `u16 code, u16 length, value`
/// padded to 4, ended by code 0.
enum Pcapng {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 1
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    /// The section header's byte-order magic, in the writer's order.
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    static let endOfOptions: UInt16 = 0
    /// shb_os: the operating system the capture was taken on. xtcp writes
    /// "Linux RELEASE" (uname's system and release): replay reads the
    /// kernel release from it.
    static let sectionOS: UInt16 = 3
    /// shb_userappl: what wrote it.
    static let sectionApplication: UInt16 = 4
    /// if_tsresol: the unit of an interface's timestamps (a power of 10,
    /// or of 2 with the top bit set); microseconds when absent.
    static let timestampResolution: UInt16 = 9

    /// Bytes of a block header plus its trailing length.
    static let blockOverhead = 12

    static func padded(_ count: Int) -> Int { (count + 3) & ~3 }

    /// Nanoseconds in `ticks` of a timestamp of `resolution` (if_tsresol's byte).
    static func nanoseconds(_ ticks: UInt64, resolution: UInt8) -> Int64 {
        let exponent = Int(resolution & 0x7f)
        if resolution & 0x80 != 0 {
            // 2^-exponent seconds a tick.
            guard exponent < 64 else { return 0 }
            let whole = ticks >> UInt64(exponent)
            let fraction = ticks & ((1 << UInt64(exponent)) - 1)
            let parts = fraction.multipliedFullWidth(by: 1_000_000_000)
            let fractionNs = exponent == 0 ? 0 : (parts.high << (64 - UInt64(exponent))) | (parts.low >> UInt64(exponent))
            return Int64(truncatingIfNeeded: whole &* 1_000_000_000 &+ fractionNs)
        }
        var value = ticks
        if exponent <= 9 {
            for _ in exponent..<9 { value &*= 10 }
        } else {
            for _ in 9..<min(exponent, 29) { value /= 10 }
        }
        return Int64(truncatingIfNeeded: value)
    }
}
