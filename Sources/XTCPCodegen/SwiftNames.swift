extension String {
    /// `inet_diag_msg_state` → `inetDiagMsgState`.
    var lowerCamelCase: String {
        let parts = split(separator: "_")
        guard let first = parts.first else { return self }
        return first.lowercased() + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
    }
}

/// The protobuf wire facts the generator needs for one field.
struct WireField {
    enum Kind { case uint32, uint64, int64, string, address, enumeration(String) }
    var name: String
    var swiftName: String
    var number: Int
    var kind: Kind

    init(_ field: ProtoSchema.Field, schema: ProtoSchema) throws {
        name = field.name
        swiftName = field.name.lowerCamelCase
        number = field.number
        switch field.type {
        case "uint32": kind = .uint32
        case "uint64": kind = .uint64
        case "int64": kind = .int64
        case "string": kind = .string
        // Every bytes field of the record is a socket address (4 or 16 bytes).
        case "bytes": kind = .address
        default:
            guard schema.enumeration(named: field.type) != nil else {
                throw ProtoSchema.ParseError(line: 0, message: "field \(field.name): unsupported type \(field.type)")
            }
            kind = .enumeration(field.type)
        }
    }

    var isString: Bool {
        if case .string = kind { return true }
        return false
    }

    var wireType: Int {
        switch kind {
        case .string, .address: return 2
        default: return 0
        }
    }

    /// The tag's varint bytes, packed little-endian into one integer.
    var tagBytes: [UInt8] { varintBytes(UInt64(number << 3 | wireType)) }

    var tagLiteral: String {
        let bytes = tagBytes
        var packed: UInt32 = 0
        for (i, b) in bytes.enumerated() { packed |= UInt32(b) << (8 * UInt32(i)) }
        return "0x" + String(packed, radix: 16, uppercase: true) + ", length: \(bytes.count)"
    }

    var swiftType: String {
        switch kind {
        case .uint32: return "UInt32"
        case .uint64: return "UInt64"
        case .int64: return "Int64"
        case .string: return "String"
        case .address: return "InetAddressBytes"
        case .enumeration(let name): return name
        }
    }

    var defaultValue: String {
        switch kind {
        case .string: return "\"\""
        case .address: return "InetAddressBytes()"
        case .enumeration: return ".protoDefault"
        default: return "0"
        }
    }

    var isDefaultCheck: String {
        switch kind {
        case .string: return "\(swiftName).isEmpty"
        case .address: return "\(swiftName).isEmpty"
        case .enumeration: return "\(swiftName) == .protoDefault"
        default: return "\(swiftName) == 0"
        }
    }

    /// Largest encoding of the field's payload, not counting variable string bytes.
    var fixedMaxPayload: Int {
        switch kind {
        case .uint32: return 5
        case .uint64, .int64: return 10
        case .enumeration: return 10
        case .string: return 5
        case .address: return 1 + 16
        }
    }
}

func varintBytes(_ value: UInt64) -> [UInt8] {
    var v = value
    var out: [UInt8] = []
    while v >= 0x80 {
        out.append(UInt8(v & 0x7f) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
    return out
}

extension ProtoSchema.EnumValue {
    /// `CONGESTION_ALGORITHM_BBR1` in enum `CongestionAlgorithm` → `bbr1`.
    func swiftCase(in enumName: String) -> String {
        var prefix = ""
        for (i, c) in enumName.enumerated() {
            if c.isUppercase && i > 0 { prefix += "_" }
            prefix += c.uppercased()
        }
        prefix += "_"
        let stripped = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        return stripped.lowercased().lowerCamelCase
    }
}
