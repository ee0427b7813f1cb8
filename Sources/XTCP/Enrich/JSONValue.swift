/// A JSON document (RFC 8259) as read from a runtime's API: the daemon
/// links no Foundation, and what it reads of JSON is small (container lists
/// and events). Strict: anything but one well-formed value, bounded in
/// depth, is an error with the offset where it went wrong.
public enum JSONValue: Sendable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "JSON at byte \(offset): \(reason)" }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Parses `bytes`, which must hold one value (white space around it).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(ParseError) -> JSONValue where Bytes.Element == UInt8 {
        var reader = Reader(bytes: Array(bytes))
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == reader.bytes.count else { throw reader.fail("text after the value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        static let maxDepth = 64

        func fail(_ reason: String) -> ParseError { ParseError(offset: at, reason: reason) }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
            skipSpace()
            guard at < bytes.count else { throw fail("a value expected, the text ended") }
            switch bytes[at] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(ParseError) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard bytes.count - at >= expected.count, bytes[at..<at + expected.count].elementsEqual(expected) else { throw fail("not a value") }
            at += expected.count
        }

        mutating func object(depth: Int) throws(ParseError) -> JSONValue {
            at += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("a member's name expected") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("':' expected") }
                at += 1
                members[key] = try value(depth: depth + 1)
                skipSpace()
                guard at < bytes.count else { throw fail("the object is not closed") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "}") else { throw fail("',' or '}' expected") }
                at += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> JSONValue {
            at += 1
            var items: [JSONValue] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw fail("the array is not closed") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "]") else { throw fail("',' or ']' expected") }
                at += 1
                return .array(items)
            }
        }

        mutating func string() throws(ParseError) -> String {
            at += 1
            var utf8: [UInt8] = []
            while true {
                guard at < bytes.count else { throw fail("the string is not closed") }
                let byte = bytes[at]
                at += 1
                switch byte {
                case UInt8(ascii: "\""):
                    // Ill-formed UTF-8 is repaired (U+FFFD), not refused.
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { throw fail("the string is not closed") }
                    let escaped = bytes[at]
                    at += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                    default: throw fail("an unknown escape")
                    }
                case 0..<0x20: throw fail("a control character in a string")
                default: utf8.append(byte)
                }
            }
        }

        /// After `\u`: four hex digits, and a second `\uXXXX` for a
        /// surrogate pair; the scalar's UTF-8 (U+FFFD for a lone surrogate).
        mutating func unicodeEscape() throws(ParseError) -> [UInt8] {
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar), bytes.count - at >= 6, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
                let mark = at
                at += 2
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    at = mark
                }
            }
            return Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard bytes.count - at >= 4, let value = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else {
                throw fail("\\u wants four hex digits")
            }
            at += 4
            return value
        }

        mutating func number() throws(ParseError) -> Double {
            let start = at
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.at
                while reader.at < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.at]) { reader.at += 1 }
                return reader.at - from
            }
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits(&self) > 0 else { throw fail("not a value") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits(&self) > 0 else { throw fail("digits expected after '.'") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits(&self) > 0 else { throw fail("digits expected in the exponent") }
            }
            guard let value = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else { throw fail("not a number") }
            return value
        }
    }
}
