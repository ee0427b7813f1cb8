/// `-marshal csv` and `-marshal tsv`: one line per record, the fields of
/// `-columns` in its order, quoted as RFC 4180 says (a value holding the
/// delimiter, a quote or a line break is put in quotes, its quotes
/// doubled), so that Python's `csv` module, ClickHouse's CSV/TSV-with-
/// quotes readers and spreadsheets read it. Values are jsonl's, but for
/// the fields `HumanisedFields` prints as words and times. The header
/// line is not in the batches: the destination writes it once per file or
/// connection (`header`).
public final class DelimitedMarshaller: SinkBatchMarshaller {
    public let format: MarshalFormat
    let delimiter: UInt8
    let columns: RecordColumns
    /// How each column is humanised, looked up once.
    private let humanised: [HumanisedFields.Kind?]
    var sink = TextSink()
    /// The row's values by field index, filled by `forEachField` and read
    /// in column order; kept between rows (no allocation per row).
    private var values: [FieldValue]
    public internal(set) var rowCount = 0

    public init(format: MarshalFormat, columns: RecordColumns) {
        precondition(format == .csv || format == .tsv)
        self.format = format
        delimiter = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        self.columns = columns
        humanised = columns.indices.map { HumanisedFields.kinds[$0] }
        values = Array(repeating: .uint32(0), count: FlatRecord.fieldDescriptors.count)
    }

    /// The header line: the column names, as a row.
    public static func header(format: MarshalFormat, columns: RecordColumns) -> [UInt8] {
        let marshaller = DelimitedMarshaller(format: format, columns: columns)
        for (position, name) in columns.names.enumerated() {
            if position > 0 { marshaller.sink.bytes.append(marshaller.delimiter) }
            marshaller.writeQuoted(name)
        }
        marshaller.sink.bytes.append(UInt8(ascii: "\n"))
        return marshaller.sink.bytes
    }

    public func append(_ record: borrowing FlatRecord) {
        record.forEachField { index, value in values[index] = value }
        for (position, index) in columns.indices.enumerated() {
            if position > 0 { sink.bytes.append(delimiter) }
            write(values[index], humanised: humanised[position])
        }
        sink.bytes.append(UInt8(ascii: "\n"))
        rowCount += 1
    }

    private func write(_ value: FieldValue, humanised: HumanisedFields.Kind?) {
        switch (value, humanised) {
        case (.uint32(let v), .socketState?) where HumanisedFields.name(v, in: HumanisedFields.socketStates) != nil:
            sink.write(HumanisedFields.name(v, in: HumanisedFields.socketStates)!)
        case (.uint32(let v), .congestionAvoidanceState?) where HumanisedFields.name(v, in: HumanisedFields.congestionAvoidanceStates) != nil:
            sink.write(HumanisedFields.name(v, in: HumanisedFields.congestionAvoidanceStates)!)
        case (.int64(let v), .time?): HumanisedFields.writeTime(nanoseconds: v, to: &sink)
        case (.uint32(let v), _): sink.write(unsigned: UInt64(v))
        case (.uint64(let v), _): sink.write(unsigned: v)
        case (.int64(let v), _): sink.write(digits: v)
        case (.string(let v), _): writeQuoted(v)
        case (.address(let v), _): sink.write(v.text)
        case (.enumeration(_, let name), _): sink.write(name)
        }
    }

    /// A text value, in quotes only when it must be.
    private func writeQuoted(_ text: String) {
        let needsQuotes = text.utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard needsQuotes else { return sink.write(text) }
        sink.bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { sink.bytes.append(byte) }
            sink.bytes.append(byte)
        }
        sink.bytes.append(UInt8(ascii: "\""))
    }
}
