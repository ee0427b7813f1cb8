/// Bounds-checked-by-construction reads from a received buffer.
///
/// Every function here takes a pointer and an offset that the caller has
/// already proven to lie, with the value's size, inside the readable bytes
/// (the message and attribute walkers check lengths before they call). The
/// loads are unaligned because captures and `ss -D` files place messages at
/// any offset.
@usableFromInline
enum RawBytes {
    @inlinable @inline(__always)
    static func u8(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    static func u16(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    }

    @inlinable @inline(__always)
    static func u32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    @inlinable @inline(__always)
    static func u64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        p.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Netlink lengths are padded to 4 bytes (NLMSG_ALIGN, NLA_ALIGN).
    @inlinable @inline(__always)
    static func align4(_ n: Int) -> Int { (n &+ 3) & ~3 }
}
