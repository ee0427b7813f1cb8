/// A cursor that writes protobuf wire format into memory the caller owns.
///
/// It does no bounds checks of its own: whoever creates it guarantees room for
/// what will be written (`FlatRecord.maxEncodedSize` per record, plus
/// `ProtoWriter.slack` for the 4-byte tag store). That keeps the per-field
/// cost to a compare and a store, which is what lets the generated encoder
/// run at tens of nanoseconds per record.
public struct ProtoWriter {
    /// Bytes past the last written byte that a tag store may touch.
    public static let slack = 4

    @usableFromInline var cursor: UnsafeMutableRawPointer

    /// Do not let the writer outlive the memory `start` points into.
    @inlinable
    public init(start: UnsafeMutableRawPointer) { cursor = start }

    @inlinable
    public var position: UnsafeMutableRawPointer { cursor }

    /// Writes a precomputed tag: its varint bytes packed little-endian into
    /// `packed`, `length` of them significant. Stores 4 bytes and advances by
    /// `length`; the stray bytes are overwritten by what follows (safe because
    /// the caller reserved `slack`).
    @inlinable @inline(__always)
    public mutating func writeTag(_ packed: UInt32, length: Int) {
        cursor.storeBytes(of: packed.littleEndian, as: UInt32.self)
        cursor += length
    }

    @inlinable @inline(__always)
    public mutating func writeByte(_ byte: UInt8) {
        cursor.storeBytes(of: byte, as: UInt8.self)
        cursor += 1
    }

    @inlinable @inline(__always)
    public mutating func writeVarint32(_ value: UInt32) {
        if value < 0x80 {
            writeByte(UInt8(truncatingIfNeeded: value))
            return
        }
        writeVarint(UInt64(value))
    }

    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeByte(UInt8(truncatingIfNeeded: v))
    }

    @inlinable
    public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        writeVarint(UInt64(bytes.count))
        if let base = bytes.baseAddress, bytes.count > 0 {
            cursor.copyMemory(from: base, byteCount: bytes.count)
            cursor += bytes.count
        }
    }

    @inlinable
    public mutating func writeString(_ string: String) {
        // Native Swift strings are contiguous UTF-8: no copy, no allocation.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { writeBytes(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = string
            copy.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    @inlinable
    public mutating func writeAddress(_ address: InetAddressBytes) {
        writeByte(UInt8(truncatingIfNeeded: address.count))
        withUnsafeBytes(of: address.storage) { cursor.copyMemory(from: $0.baseAddress!, byteCount: address.count) }
        cursor += address.count
    }

    // MARK: Sizes

    @inlinable
    public static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inlinable
    public static func lengthDelimitedSize(_ count: Int) -> Int {
        varintSize(UInt64(count)) + count
    }
}
