/// The Parquet schema of a flat record: one required column per field of
/// the .proto, in its order, typed from the generated `forEachField` (so
/// a field added to the .proto is a column without a line here). Values
/// are as jsonl has them: integers as integers (unsigned ones marked so),
/// strings, addresses as text, enums by name.
/// Parquet's terms: github.com/apache/parquet-format, parquet.thrift.
public enum ParquetSchema {
    /// parquet.thrift's Type.
    enum PhysicalType: Int32 { case int32 = 1, int64 = 2, byteArray = 6 }
    /// parquet.thrift's ConvertedType, the ones used.
    enum ConvertedType: Int32 { case utf8 = 0, uint32 = 13, uint64 = 14 }

    struct Column {
        var name: String
        var type: PhysicalType
        var converted: ConvertedType?
    }

    static let columns: [Column] = {
        var out: [Column] = []
        FlatRecord().forEachField { index, value in
            let name = FlatRecord.fieldDescriptors[index].name
            switch value {
            case .uint32: out.append(Column(name: name, type: .int32, converted: .uint32))
            case .uint64: out.append(Column(name: name, type: .int64, converted: .uint64))
            case .int64: out.append(Column(name: name, type: .int64, converted: nil))
            case .string, .address, .enumeration: out.append(Column(name: name, type: .byteArray, converted: .utf8))
            }
        }
        return out
    }()

    /// A page's and a column chunk's compression (parquet.thrift's CompressionCodec).
    public enum Codec: Int32, Sendable, CaseIterable {
        case none = 0
        case zstd = 6

        public var name: String { self == .none ? "none" : "zstd" }
    }

    /// Parquet's magic, at a file's start and end.
    public static let magic: [UInt8] = Array("PAR1".utf8)
}
