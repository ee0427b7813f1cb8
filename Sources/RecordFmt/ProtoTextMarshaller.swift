/// `-marshal protoText`: the whole envelope in protobuf text format, as
/// `protoc --decode=xtcp_flat_record.v1.Envelope` prints it. For debugging.
public final class ProtoTextMarshaller: SinkBatchMarshaller {
    var sink = TextSink()
    public internal(set) var rowCount = 0

    public init() {}

    public var format: MarshalFormat { .protoText }

    public func append(_ record: borrowing FlatRecord) {
        sink.write("row {\n")
        record.forEachField { index, value in
            guard !value.isDefault else { return }
            sink.write("  ")
            sink.write(FlatRecord.fieldDescriptors[index].name)
            sink.write(": ")
            switch value {
            case .uint32(let v): sink.write(decimal: v)
            case .uint64(let v): sink.write(decimal: v)
            case .int64(let v): sink.write(decimal: v)
            case .string(let v): sink.writeTextFormatBytes(Array(v.utf8))
            case .address(let v): sink.writeTextFormatBytes(v.bytes)
            case .enumeration(_, let name): sink.write(name)
            }
            sink.write("\n")
        }
        sink.write("}\n")
        rowCount += 1
    }
}
