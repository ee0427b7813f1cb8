#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer for the text marshallers, reused between batches.
struct TextSink {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func write(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    /// No allocation (it went through String: jsonl cost 31 µs a socket
    /// to csv's 11; pgo-notes.md).
    mutating func write<T: BinaryInteger>(decimal value: T) {
        if value < 0 { write(digits: Int64(value)) } else { write(unsigned: UInt64(value)) }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    mutating func writeJSONString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): write("\\\"")
            case UInt8(ascii: "\\"): write("\\\\")
            case UInt8(ascii: "\n"): write("\\n")
            case UInt8(ascii: "\r"): write("\\r")
            case UInt8(ascii: "\t"): write("\\t")
            case 0..<0x20:
                write("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xf)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A protobuf text-format string literal: printable ASCII as is, the rest
    /// as octal escapes (what protoc --decode prints).
    mutating func writeTextFormatBytes<C: Collection>(_ raw: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        for byte in raw {
            switch byte {
            case UInt8(ascii: "\""): write("\\\"")
            case UInt8(ascii: "\\"): write("\\\\")
            case UInt8(ascii: "'"): write("\\'")
            case UInt8(ascii: "\n"): write("\\n")
            case UInt8(ascii: "\r"): write("\\r")
            case UInt8(ascii: "\t"): write("\\t")
            case 0x20..<0x7f: bytes.append(byte)
            default:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "0") + (byte >> 6))
                bytes.append(UInt8(ascii: "0") + ((byte >> 3) & 7))
                bytes.append(UInt8(ascii: "0") + (byte & 7))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension InetAddressBytes {
    /// The address as `inet_ntop` prints it ("" when absent).
    public var text: String {
        guard !isEmpty else { return "" }
        var out = [CChar](repeating: 0, count: 64)
        let family = count == 4 ? AF_INET : AF_INET6
        let ok = withUnsafeBytes(of: storage) { raw in
            inet_ntop(family, raw.baseAddress, &out, socklen_t(out.count)) != nil
        }
        guard ok else { return "" }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension TextSink {
    /// `value` in decimal, zero-padded to `width` digits; no allocation.
    mutating func write(digits value: Int64, width: Int = 1) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        write(unsigned: value.magnitude, width: width)
    }

    mutating func write(unsigned value: UInt64, width: Int = 1) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 digits: any UInt64
        withUnsafeMutableBytes(of: &scratch) { raw in
            var rest = value
            var at = raw.count
            repeat {
                at -= 1
                raw[at] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || raw.count - at < width
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[at...]))
        }
    }
}
