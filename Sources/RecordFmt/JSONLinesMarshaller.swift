/// `-marshal jsonl`: one JSON object per record per line, every field present
/// (so that `jq` and column tools see the same keys on every line), proto
/// field names, addresses as text, the congestion enum by its proto name.
/// 64-bit integers are printed as JSON numbers.
public final class JSONLinesMarshaller: SinkBatchMarshaller {
    var sink = TextSink()
    public internal(set) var rowCount = 0

    public init() {}

    public var format: MarshalFormat { .jsonl }

    public func append(_ record: borrowing FlatRecord) {
        sink.write("{")
        record.forEachField { index, value in
            if index > 0 { sink.write(",") }
            sink.writeJSONString(FlatRecord.fieldDescriptors[index].name)
            sink.write(":")
            switch value {
            case .uint32(let v): sink.write(decimal: v)
            case .uint64(let v): sink.write(decimal: v)
            case .int64(let v): sink.write(decimal: v)
            case .string(let v): sink.writeJSONString(v)
            case .address(let v): sink.writeJSONString(v.text)
            case .enumeration(_, let name): sink.writeJSONString(name)
            }
        }
        sink.write("}\n")
        rowCount += 1
    }
}
