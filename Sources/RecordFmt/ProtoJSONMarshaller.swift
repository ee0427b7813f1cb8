/// `-marshal protoJson`: the whole envelope as proto3 canonical JSON
/// (`{"row":[{...},...]}` followed by a newline): lowerCamelCase names,
/// default values omitted, 64-bit integers as strings, bytes in base64,
/// enums by name. For debugging, not for volume.
public final class ProtoJSONMarshaller: Marshaller {
    var sink = TextSink()
    public private(set) var rowCount = 0

    public init() {}

    public var format: MarshalFormat { .protoJson }
    /// The envelope's size once closed (`{"row":[` ... `]}\n`).
    public var byteCount: Int { sink.bytes.count + (rowCount == 0 ? 3 : 11) }

    public func append(_ record: borrowing FlatRecord) {
        if rowCount > 0 { sink.write(",") }
        sink.write("{")
        var first = true
        record.forEachField { index, value in
            guard !value.isDefault else { return }
            if !first { sink.write(",") }
            first = false
            sink.writeJSONString(FlatRecord.fieldDescriptors[index].jsonName)
            sink.write(":")
            switch value {
            case .uint32(let v): sink.write(decimal: v)
            case .uint64(let v): sink.writeJSONString(String(v))
            case .int64(let v): sink.writeJSONString(String(v))
            case .string(let v): sink.writeJSONString(v)
            case .address(let v): sink.writeJSONString(Base64.encode(v.bytes))
            case .enumeration(_, let name): sink.writeJSONString(name)
            }
        }
        sink.write("}")
        rowCount += 1
    }

    public func withBatch<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var out = TextSink()
        if rowCount == 0 {
            out.write("{}\n")
        } else {
            out.write("{\"row\":[")
            out.bytes.append(contentsOf: sink.bytes)
            out.write("]}\n")
        }
        return try out.bytes.withUnsafeBytes(body)
    }

    public func reset() {
        sink.bytes.removeAll(keepingCapacity: true)
        rowCount = 0
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0xf) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
