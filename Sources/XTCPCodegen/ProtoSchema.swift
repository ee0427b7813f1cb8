/// The subset of a proto3 file that xtcp's schema uses: one package, enums,
/// and messages whose fields are scalars, strings, bytes, enums or repeated
/// messages. Parsing is strict: anything else is an error with its line, so
/// the generator never silently drops a field.
public struct ProtoSchema: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var name: String
        public var number: Int
        public var type: String
        public var repeated: Bool
    }
    public struct Message: Equatable, Sendable {
        public var name: String
        public var fields: [Field]
    }
    public struct EnumValue: Equatable, Sendable {
        public var name: String
        public var number: Int
    }
    public struct Enum: Equatable, Sendable {
        public var name: String
        public var values: [EnumValue]
    }

    public var package: String = ""
    public var messages: [Message] = []
    public var enums: [Enum] = []

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public func message(named name: String) -> Message? { messages.first { $0.name == name } }
    public func enumeration(named name: String) -> Enum? { enums.first { $0.name == name } }

    public init(parsing text: String) throws {
        enum Block { case message(Message), enumeration(Enum) }
        var open: Block?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let slash = line.indices.first(where: { line[$0...].hasPrefix("//") }) { line = line[..<slash] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" || $0 == "=" })
                .map(String.init)
            if words.isEmpty { continue }
            switch (open, words[0]) {
            case (nil, "syntax"):
                guard line.contains("\"proto3\"") else { throw ParseError(line: lineNumber, message: "only proto3 is supported") }
            case (nil, "package"):
                guard words.count == 2 else { throw ParseError(line: lineNumber, message: "bad package line") }
                package = words[1]
            case (nil, "message"):
                guard words.count >= 2 else { throw ParseError(line: lineNumber, message: "message without a name") }
                open = .message(Message(name: words[1], fields: []))
            case (nil, "enum"):
                guard words.count >= 2 else { throw ParseError(line: lineNumber, message: "enum without a name") }
                open = .enumeration(Enum(name: words[1], values: []))
            case (.some(let block), "}"):
                switch block {
                case .message(let message): messages.append(message)
                case .enumeration(let enumeration): enums.append(enumeration)
                }
                open = nil
            case (.some(.message(var message)), _):
                let repeated = words[0] == "repeated"
                let parts = repeated ? Array(words.dropFirst()) : words
                guard parts.count == 3, let number = Int(parts[2]),
                      parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
                else {
                    throw ParseError(line: lineNumber, message: "expected `[repeated] TYPE NAME = NUMBER;`")
                }
                message.fields.append(Field(name: parts[1], number: number, type: parts[0], repeated: repeated))
                open = .message(message)
            case (.some(.enumeration(var enumeration)), _):
                guard words.count == 2, let number = Int(words[1]) else {
                    throw ParseError(line: lineNumber, message: "expected `NAME = NUMBER;`")
                }
                enumeration.values.append(EnumValue(name: words[0], number: number))
                open = .enumeration(enumeration)
            default:
                throw ParseError(line: lineNumber, message: "unexpected `\(words[0])`")
            }
        }
        if open != nil { throw ParseError(line: 0, message: "unterminated block at end of file") }
    }
}
