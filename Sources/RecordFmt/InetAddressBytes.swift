/// A socket address as the record carries it: 4 bytes (AF_INET) or 16 bytes
/// (AF_INET6) in network byte order, held inline so that filling a record
/// never allocates.
public struct InetAddressBytes: Sendable, Equatable, Hashable {
    /// The 16 bytes, network order; an IPv4 address uses the first 4.
    public var storage: (UInt64, UInt64) = (0, 0)
    @usableFromInline var length: Int = 0
    /// 0 (absent), 4 or 16.
    @inlinable public var count: Int { length }

    public init() {}

    /// From raw bytes; nil unless there are exactly 0, 4 or 16 of them.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 0 || bytes.count == 4 || bytes.count == 16 else { return nil }
        self.init()
        length = bytes.count
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
    }

    public init?(_ bytes: [UInt8]) {
        guard let value = bytes.withUnsafeBytes({ InetAddressBytes($0) }) else { return nil }
        self = value
    }

    /// An IPv4 address from the first 4 bytes of `idiag_src`/`idiag_dst`.
    @inlinable
    public static func ipv4(networkOrder word: UInt32) -> InetAddressBytes {
        var a = InetAddressBytes()
        a.storage = (UInt64(word), 0)  // little-endian host: byte 0 of the word stays byte 0
        a.length = 4
        return a
    }

    /// An IPv6 address from the 16 bytes of `idiag_src`/`idiag_dst`.
    @inlinable
    public static func ipv6(high: UInt64, low: UInt64) -> InetAddressBytes {
        var a = InetAddressBytes()
        a.storage = (high, low)
        a.length = 16
        return a
    }

    public var isEmpty: Bool { count == 0 }

    public var bytes: [UInt8] {
        withUnsafeBytes(of: storage) { Array($0.prefix(count)) }
    }

    public static func == (a: InetAddressBytes, b: InetAddressBytes) -> Bool {
        a.count == b.count && a.storage == b.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(storage.0)
        hasher.combine(storage.1)
    }
}
