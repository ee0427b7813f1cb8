/// Thrift's compact protocol, write side only: what Parquet's page headers
/// and file footer are encoded in (github.com/apache/thrift,
/// doc/specs/thrift-compact-protocol.md). Fields are written in ascending
/// id order within a struct, so each header is the short form (the delta
/// from the previous id) whenever the delta fits 4 bits.
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    var bytes: [UInt8] = []
    /// The last field id of each open struct; the innermost last.
    private var lastField: [Int16] = [0]

    mutating func varint(_ value: UInt64) { bytes.appendVarint(value) }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        zigzag(value)
    }

    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }

    mutating func string(_ id: Int16, _ value: String) {
        fieldHeader(id, .binary)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// A struct field: `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structBody(body)
    }

    /// A struct's fields and its stop byte (a top-level struct, or a list's element).
    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)  // STOP
        lastField.removeLast()
    }

    mutating func listHeader(_ id: Int16, count: Int, of element: FieldType) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xf0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func list<C: Collection>(_ id: Int16, structs elements: C, _ body: (inout ThriftCompactWriter, C.Element) -> Void) {
        listHeader(id, count: elements.count, of: .structure)
        for element in elements { structBody { body(&$0, element) } }
    }

    mutating func list(_ id: Int16, i32s values: [Int32]) {
        listHeader(id, count: values.count, of: .i32)
        for value in values { zigzag(Int64(value)) }
    }

    mutating func list(_ id: Int16, strings values: [String]) {
        listHeader(id, count: values.count, of: .binary)
        for value in values {
            varint(UInt64(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        }
    }
}
