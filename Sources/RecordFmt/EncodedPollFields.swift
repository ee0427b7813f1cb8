/// The per-poll fields of a record (numbers below 1000: host, namespace,
/// labels, uplinks; all but `record_counter` and the socket owner's),
/// encoded once per poll so that every row copies ~100 bytes instead of
/// re-encoding 43 fields and 30 strings (this halved encode time per
/// record; see pgo-notes.md). `EnvelopeBuilder.append(_:pollFields:owner:)`
/// writes them around the row's owner block and its own `record_counter`,
/// in field-number order, so rows are byte-identical to those `append(_:)`
/// writes.
///
/// Make one whenever the per-poll fields change (once per namespace per
/// poll): it allocates its three small arrays, rows never do.
public struct EncodedPollFields: Sendable, Equatable {
    /// The fields numbered below the owner's.
    @usableFromInline let head: [UInt8]
    /// The fields between the owner's and `record_counter`.
    @usableFromInline let middle: [UInt8]
    /// The per-poll fields numbered above `record_counter`.
    @usableFromInline let tail: [UInt8]

    public init(of record: FlatRecord) {
        head = EncodedBlock.encoded(maxSize: FlatRecord.pollHeadFixedMaxEncodedSize + record.pollHeadStringBytes) {
            record.encodePollHead(at: $0)
        }
        middle = EncodedBlock.encoded(maxSize: FlatRecord.pollMiddleFixedMaxEncodedSize + record.pollMiddleStringBytes) {
            record.encodePollMiddle(at: $0)
        }
        tail = EncodedBlock.encoded(maxSize: FlatRecord.pollTailFixedMaxEncodedSize + record.pollTailStringBytes) {
            record.encodePollTail(at: $0)
        }
    }

    /// Bytes copied into every row.
    @inlinable
    public var byteCount: Int { head.count &+ middle.count &+ tail.count }

    /// True when `record`'s per-poll fields encode to these bytes.
    public func matches(_ record: borrowing FlatRecord) -> Bool {
        self == EncodedPollFields(of: copy record)
    }
}

/// The socket owner's fields of a record (container and pod, numbers 40 to
/// 49), encoded once per owner (per cgroup) and copied into each row of its
/// sockets between the per-poll head and middle.
public struct EncodedOwnerFields: Sendable, Equatable {
    @usableFromInline let bytes: [UInt8]

    /// No owner: nothing on the wire (an empty array allocates nothing).
    public static let none = EncodedOwnerFields(bytes: [])

    init(bytes: [UInt8]) { self.bytes = bytes }

    public init(of record: FlatRecord) {
        bytes = EncodedBlock.encoded(maxSize: FlatRecord.ownerFixedMaxEncodedSize + record.ownerStringBytes) {
            record.encodeOwner(at: $0)
        }
    }

    @inlinable
    public var byteCount: Int { bytes.count }

    /// True when `record`'s owner fields encode to these bytes.
    public func matches(_ record: borrowing FlatRecord) -> Bool {
        self == EncodedOwnerFields(of: copy record)
    }
}

/// A run of fields encoded once and copied into rows.
@usableFromInline
enum EncodedBlock {
    /// The caller reserved room for the block at the cursor.
    @inlinable @inline(__always)
    static func copy(_ bytes: [UInt8], to cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        bytes.withUnsafeBytes { if let base = $0.baseAddress { cursor.copyMemory(from: base, byteCount: $0.count) } }
        return cursor + bytes.count
    }

    static func encoded(maxSize: Int, _ encode: (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: maxSize + ProtoWriter.slack) { buffer, count in
            count = encode(buffer.baseAddress!) - UnsafeMutableRawPointer(buffer.baseAddress!)
        }
    }
}
