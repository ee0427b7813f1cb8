#if canImport(Glibc)
import Glibc
#endif

/// Builds one `Envelope` (repeated XtcpFlatRecord row = 10) in a reusable
/// buffer, row by row, and hands it out framed for ClickHouse's ProtobufList
/// format: `uvarint(len(envelope)) + envelope`.
///
/// `byteCount` is the exact packed size of the envelope so far, kept in O(1)
/// per row (it is the write offset), so flush decisions never re-measure.
/// The buffer is reused after `reset()`: in steady state appending allocates
/// nothing.
public struct EnvelopeBuilder {
    /// Room kept in front of the envelope for its uvarint length prefix, so
    /// that framing writes backwards into it instead of copying the envelope.
    @usableFromInline static let prefixRoom = 5
    /// The row tag: field `Envelope.row`, wire type 2 (length-delimited).
    @usableFromInline static let rowTag = UInt8(FlatRecord.envelopeRowFieldNumber << 3 | 2)

    @usableFromInline var storage: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    /// Offset of the next byte to write; the envelope is `prefixRoom..<end`.
    @usableFromInline var end: Int

    @usableFromInline var rows = 0
    @inlinable public var rowCount: Int { rows }

    /// Bytes of the envelope built so far (the prefix not included).
    @inlinable public var byteCount: Int { end - Self.prefixRoom }

    /// `initialCapacity` should be the flush threshold plus one large record;
    /// the buffer grows (rarely, by doubling) when a row would not fit.
    public init(initialCapacity: Int = 1 << 20) {
        capacity = max(initialCapacity, 4096)
        storage = Self.allocateBuffer(capacity: capacity)
        end = Self.prefixRoom
    }

    /// Frees the buffer. The builder is unusable afterwards.
    public mutating func deallocate() {
        storage.deallocate()
        capacity = 0
        end = 0
    }

    public mutating func reset() {
        end = Self.prefixRoom
        rows = 0
    }

    /// Appends `record` as one row.
    @inlinable
    public mutating func append(_ record: borrowing FlatRecord) {
        appendRow(maxBodySize: record.maxEncodedSize) { body in
            var writer = ProtoWriter(start: body)
            record.encode(into: &writer)
            return writer.position
        }
    }

    /// Appends `record` as one row, copying its per-poll fields from
    /// `pollFields` and its owner's from `owner` instead of encoding them:
    /// the netlinker's hot path. The bytes are the same as `append(record)`
    /// writes, as long as both were made from the record's current fields
    /// (checked in debug builds).
    @inlinable
    public mutating func append(_ record: borrowing FlatRecord, pollFields: borrowing EncodedPollFields,
                                owner: borrowing EncodedOwnerFields = .none) {
        assert(pollFields.matches(record), "EncodedPollFields made from other per-poll fields than the record's")
        assert(owner.matches(record), "EncodedOwnerFields made from another owner than the record's")
        let maxBody = pollFields.byteCount &+ owner.byteCount &+ FlatRecord.rowCounterFixedMaxEncodedSize
            &+ FlatRecord.socketFieldsFixedMaxEncodedSize &+ record.socketFieldsStringBytes
        appendRow(maxBodySize: maxBody) { body in
            var cursor = EncodedBlock.copy(pollFields.head, to: body)
            cursor = EncodedBlock.copy(owner.bytes, to: cursor)
            cursor = EncodedBlock.copy(pollFields.middle, to: cursor)
            cursor = record.encodeRowCounter(at: cursor)
            cursor = EncodedBlock.copy(pollFields.tail, to: cursor)
            return record.encodeSocketFields(at: cursor)
        }
    }

    /// Frames one row: its tag, its length and the body `encodeBody` writes
    /// (at most `maxBodySize` bytes plus `ProtoWriter.slack`) and returns the
    /// end of.
    @inlinable @inline(__always)
    mutating func appendRow(maxBodySize: Int, encodeBody: (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer) {
        // tag + up to 3 length bytes + body + the tag store's slack
        let headroom = 1 + 3 + maxBodySize + ProtoWriter.slack
        if capacity - end < headroom { grow(toFit: headroom) }
        // Safe because `headroom` bytes are free from `end`.
        let row = storage + end
        row.storeBytes(of: Self.rowTag, as: UInt8.self)
        let body = row + 3  // assume a 2-byte length; fix up below when not
        let length = encodeBody(body) - body
        var rowSize: Int
        if length < 0x80 {
            row.storeBytes(of: UInt8(length), toByteOffset: 1, as: UInt8.self)
            memmove(row + 2, body, length)  // overlapping regions: memmove
            rowSize = 2 + length
        } else if length < 0x4000 {
            row.storeBytes(of: UInt8(truncatingIfNeeded: length) | 0x80, toByteOffset: 1, as: UInt8.self)
            row.storeBytes(of: UInt8(truncatingIfNeeded: length >> 7), toByteOffset: 2, as: UInt8.self)
            rowSize = 3 + length
        } else {
            // 3-byte length (records stay far below 2 MiB): shift the body up one byte.
            memmove(body + 1, body, length)
            row.storeBytes(of: UInt8(truncatingIfNeeded: length) | 0x80, toByteOffset: 1, as: UInt8.self)
            row.storeBytes(of: UInt8(truncatingIfNeeded: length >> 7) | 0x80, toByteOffset: 2, as: UInt8.self)
            row.storeBytes(of: UInt8(truncatingIfNeeded: length >> 14), toByteOffset: 3, as: UInt8.self)
            rowSize = 4 + length
        }
        end += rowSize
        rows += 1
    }

    @usableFromInline
    mutating func grow(toFit headroom: Int) {
        var newCapacity = capacity * 2
        while newCapacity - end < headroom { newCapacity *= 2 }
        let newStorage = Self.allocateBuffer(capacity: newCapacity)
        newStorage.copyMemory(from: storage, byteCount: end)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// The envelope alone (no length prefix). Do not let the pointer escape
    /// `body`, nor append while it runs.
    public func withEnvelope<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage + Self.prefixRoom, count: byteCount))
    }

    /// Hands the buffer over with the envelope framed in it and takes
    /// `replacement` (at least `capacity` bytes from `allocateBuffer` or a
    /// detached buffer) as the new, empty one: the zero-copy hand-off to a
    /// destination that keeps the bytes until it is done with them (Kafka).
    /// The caller owns the returned buffer and must give it back to a builder
    /// or deallocate it.
    public mutating func detach(replacingWith replacement: UnsafeMutableRawPointer, capacity replacementCapacity: Int) -> DetachedEnvelope {
        let (frameOffset, frameLength) = writeFramePrefix()
        let detached = DetachedEnvelope(
            buffer: storage, capacity: capacity, frameOffset: frameOffset, frameLength: frameLength, rows: rows)
        storage = replacement
        capacity = replacementCapacity
        reset()
        return detached
    }

    /// The capacity of the buffer in use.
    public var bufferCapacity: Int { capacity }

    /// A buffer of the kind a builder uses (16-byte aligned).
    public static func allocateBuffer(capacity: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// The envelope framed as one ProtobufList message:
    /// `uvarint(len) + envelope`. Writes the prefix into the room kept in front
    /// of the envelope; no copy. Do not let the pointer escape `body`.
    public mutating func withProtobufListFrame<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let (offset, length) = writeFramePrefix()
        return try body(UnsafeRawBufferPointer(start: storage + offset, count: length))
    }

    /// Writes `uvarint(len(envelope))` into the room in front of the
    /// envelope, ending where it begins; returns where the framed message
    /// starts in the buffer and its length.
    private func writeFramePrefix() -> (offset: Int, length: Int) {
        let length = byteCount
        let prefixLength = ProtoWriter.varintSize(UInt64(length))
        let offset = Self.prefixRoom - prefixLength
        var writer = ProtoWriter(start: storage + offset)
        writer.writeVarint(UInt64(length))
        return (offset, prefixLength + length)
    }
}

/// A builder's buffer handed out by `EnvelopeBuilder.detach`: the framed
/// ProtobufList message is `buffer + frameOffset ..< + frameLength`.
public struct DetachedEnvelope: Sendable {
    // The buffer is owned by whoever holds this value: one owner at a time.
    public nonisolated(unsafe) var buffer: UnsafeMutableRawPointer
    public var capacity: Int
    public var frameOffset: Int
    public var frameLength: Int
    public var rows: Int

    public var frame: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer + frameOffset, count: frameLength)
    }
}

extension EnvelopeBuilder {
    /// The envelope inside a ProtobufList frame (`uvarint(length) +
    /// Envelope`, as `withProtobufListFrame` hands it out): what the S3
    /// object and the record stream keep of each batch.
    public static func envelope(inFrame frame: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var prefix = 0
        while prefix < frame.count, frame[prefix] & 0x80 != 0 { prefix += 1 }
        return UnsafeRawBufferPointer(rebasing: frame[min(prefix + 1, frame.count)...])
    }
}
