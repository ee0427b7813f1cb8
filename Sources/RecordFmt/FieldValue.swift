/// The name of a record field, for the text marshallers.
public struct FieldDescriptor: Sendable {
    /// The proto field name (snake_case), as jsonl and protoText print it.
    public var name: String
    /// The proto3 JSON name (lowerCamelCase), as protoJson prints it.
    public var jsonName: String
    public var number: Int
}

/// A field's value as `FlatRecord.forEachField` hands it out.
public enum FieldValue: Sendable, Equatable {
    case uint32(UInt32)
    case uint64(UInt64)
    case int64(Int64)
    case string(String)
    case address(InetAddressBytes)
    /// A proto enum value: its number and its name in the .proto file.
    case enumeration(number: Int32, protoName: String)

    /// True when proto3 leaves the field off the wire.
    public var isDefault: Bool {
        switch self {
        case .uint32(let v): return v == 0
        case .uint64(let v): return v == 0
        case .int64(let v): return v == 0
        case .string(let v): return v.isEmpty
        case .address(let v): return v.isEmpty
        case .enumeration(let number, _): return number == 0
        }
    }
}
