/// A cursor that writes protobuf wire format into memory the caller owns.
///
/// It does no bounds checks of its own: whoever creates it guarantees room for
/// what will be written (`FlatRecord.maxEncodedSize` per record, plus
/// `ProtoWriter.slack` for the 4-byte tag store). That keeps the per-field
/// cost to a compare and a few stores, which is what lets the generated
/// encoder run at about 100 ns per record.
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
        writeVarint(UInt64(value))
    }

    /// Writes `value` as a varint, a byte at a time, touching nothing past
    /// it. (Branch-free versions that spread the 7-bit groups into one word
    /// and store it whole were measured slower, alone and behind a one-byte
    /// fast path: most values here fit in one or two bytes and the loop
    /// predicts well. See pgo-notes.md.)
    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeByte(UInt8(truncatingIfNeeded: v))
    }

    @inlinable @inline(__always)
    public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        cursor = Self.writeBytes(bytes, at: cursor)
    }

    @inlinable @inline(__always)
    public mutating func writeString(_ string: String) {
        cursor = Self.writeString(string, at: cursor)
    }

    // The out-of-line parts take and return the cursor by value, so that a
    // caller's writer never has its address taken and can stay in a register.

    @usableFromInline
    static func writeBytes(_ bytes: UnsafeRawBufferPointer, at start: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        var writer = ProtoWriter(start: start)
        writer.writeVarint(UInt64(bytes.count))
        if let base = bytes.baseAddress, bytes.count > 0 {
            writer.cursor.copyMemory(from: base, byteCount: bytes.count)
            writer.cursor += bytes.count
        }
        return writer.cursor
    }

    @usableFromInline
    static func writeString(_ string: String, at start: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        // Native Swift strings are contiguous UTF-8: no copy, no allocation.
        if let end = string.utf8.withContiguousStorageIfAvailable({ writeBytes(UnsafeRawBufferPointer($0), at: start) }) {
            return end
        }
        var copy = string
        return copy.withUTF8 { writeBytes(UnsafeRawBufferPointer($0), at: start) }
    }

    /// Writes the length byte and all 16 bytes of storage, then advances by
    /// the address's own length: the stray bytes of a 4-byte address lie in
    /// the 16 that `maxEncodedSize` reserved for it.
    @inlinable @inline(__always)
    public mutating func writeAddress(_ address: InetAddressBytes) {
        writeByte(UInt8(truncatingIfNeeded: address.count))
        cursor.storeBytes(of: address.storage.0, toByteOffset: 0, as: UInt64.self)
        cursor.storeBytes(of: address.storage.1, toByteOffset: 8, as: UInt64.self)
        cursor += address.count
    }

    // MARK: Sizes

    @inlinable
    public static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one: ceil(bits / 7), as
        // (bits * 9 + 64) / 64, which is exact for 1...64 bits and needs no divide.
        let bits = 64 &- (value | 1).leadingZeroBitCount
        return (bits &* 9 &+ 64) &>> 6
    }

    @inlinable
    public static func lengthDelimitedSize(_ count: Int) -> Int {
        varintSize(UInt64(count)) + count
    }
}
