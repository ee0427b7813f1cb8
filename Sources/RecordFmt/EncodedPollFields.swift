/// The per-poll fields of a record (numbers below 1000: host, namespace,
/// labels, uplinks; all but `record_counter`), encoded once per poll so
/// that every row copies ~100 bytes instead of re-encoding 43 fields and 30
/// strings (this halved encode time per record; see pgo-notes.md).
/// `EnvelopeBuilder.append(_:pollFields:)` writes them around the row's own
/// `record_counter`, in field-number order, so rows are byte-identical to
/// those `append(_:)` writes.
///
/// Make one whenever the per-poll fields change (once per namespace per
/// poll): it allocates its two small arrays, rows never do.
public struct EncodedPollFields: Sendable, Equatable {
    /// The fields numbered below `record_counter`.
    @usableFromInline let head: [UInt8]
    /// The per-poll fields numbered above `record_counter`.
    @usableFromInline let tail: [UInt8]

    public init(of record: FlatRecord) {
        head = Self.encoded(maxSize: FlatRecord.pollHeadFixedMaxEncodedSize + record.pollHeadStringBytes) {
            record.encodePollHead(at: $0)
        }
        tail = Self.encoded(maxSize: FlatRecord.pollTailFixedMaxEncodedSize + record.pollTailStringBytes) {
            record.encodePollTail(at: $0)
        }
    }

    /// Bytes copied into every row.
    @inlinable
    public var byteCount: Int { head.count &+ tail.count }

    /// True when `record`'s per-poll fields encode to these bytes.
    public func matches(_ record: borrowing FlatRecord) -> Bool {
        self == EncodedPollFields(of: copy record)
    }

    @inlinable @inline(__always)
    func copyHead(to cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        Self.copy(head, to: cursor)
    }

    @inlinable @inline(__always)
    func copyTail(to cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        Self.copy(tail, to: cursor)
    }

    /// The caller reserved `byteCount` bytes at the cursor for both blocks.
    @inlinable @inline(__always)
    static func copy(_ bytes: [UInt8], to cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        bytes.withUnsafeBytes { if let base = $0.baseAddress { cursor.copyMemory(from: base, byteCount: $0.count) } }
        return cursor + bytes.count
    }

    private static func encoded(maxSize: Int, _ encode: (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: maxSize + ProtoWriter.slack) { buffer, count in
            count = encode(buffer.baseAddress!) - UnsafeMutableRawPointer(buffer.baseAddress!)
        }
    }
}
