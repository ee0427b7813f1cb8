/// `-marshal msgpack`: one MessagePack map per record, one after another
/// (a stream Python's `msgpack.Unpacker` reads), every field present with
/// its proto name as the key, values as jsonl has them: integers as the
/// smallest MessagePack integer that holds them, addresses as text, enums
/// by name. Written here rather than through msgpack-c: the keys are
/// encoded once, and the rest is a few bytes a value (docs/performance.md
/// has the measurement against jsonl).
public final class MessagePackMarshaller: SinkBatchMarshaller {
    var sink = TextSink()
    public internal(set) var rowCount = 0

    /// Each field's key, encoded (a str of its proto name).
    static let keys: [[UInt8]] = FlatRecord.fieldDescriptors.map { field in
        var sink = TextSink()
        sink.writeMessagePackString(field.name)
        return sink.bytes
    }

    public init() {}

    public var format: MarshalFormat { .msgpack }

    public func append(_ record: borrowing FlatRecord) {
        sink.writeMessagePackMapHeader(count: Self.keys.count)
        record.forEachField { index, value in
            sink.bytes.append(contentsOf: Self.keys[index])
            switch value {
            case .uint32(let v): sink.writeMessagePack(unsigned: UInt64(v))
            case .uint64(let v): sink.writeMessagePack(unsigned: v)
            case .int64(let v): sink.writeMessagePack(signed: v)
            case .string(let v): sink.writeMessagePackString(v)
            case .address(let v): sink.writeMessagePackString(v.text)
            case .enumeration(_, let name): sink.writeMessagePackString(name)
            }
        }
        rowCount += 1
    }
}

/// MessagePack's encodings (github.com/msgpack/msgpack/blob/master/spec.md),
/// each the shortest form, as the spec recommends.
extension TextSink {
    mutating func writeMessagePackMapHeader(count: Int) {
        if count < 16 {
            bytes.append(0x80 | UInt8(count))
        } else if count <= 0xffff {
            bytes.append(0xde)
            appendBigEndian(UInt16(count))
        } else {
            bytes.append(0xdf)
            appendBigEndian(UInt32(count))
        }
    }

    mutating func writeMessagePack(unsigned value: UInt64) {
        switch value {
        case 0..<0x80: bytes.append(UInt8(value))
        case 0x80...0xff: bytes.append(0xcc); bytes.append(UInt8(value))
        case 0x100...0xffff: bytes.append(0xcd); appendBigEndian(UInt16(value))
        case 0x1_0000...0xffff_ffff: bytes.append(0xce); appendBigEndian(UInt32(value))
        default: bytes.append(0xcf); appendBigEndian(value)
        }
    }

    mutating func writeMessagePack(signed value: Int64) {
        guard value < 0 else { return writeMessagePack(unsigned: UInt64(value)) }
        switch value {
        case -32 ..< 0: bytes.append(UInt8(bitPattern: Int8(value)))
        case Int64(Int8.min)...: bytes.append(0xd0); bytes.append(UInt8(bitPattern: Int8(value)))
        case Int64(Int16.min)...: bytes.append(0xd1); appendBigEndian(UInt16(bitPattern: Int16(value)))
        case Int64(Int32.min)...: bytes.append(0xd2); appendBigEndian(UInt32(bitPattern: Int32(value)))
        default: bytes.append(0xd3); appendBigEndian(UInt64(bitPattern: value))
        }
    }

    mutating func writeMessagePackString(_ text: String) {
        let count = text.utf8.count
        if count < 32 {
            bytes.append(0xa0 | UInt8(count))
        } else if count <= 0xff {
            bytes.append(0xd9)
            bytes.append(UInt8(count))
        } else if count <= 0xffff {
            bytes.append(0xda)
            appendBigEndian(UInt16(count))
        } else {
            bytes.append(0xdb)
            appendBigEndian(UInt32(count))
        }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
