import Logging
import Platform

/// How each log line is written (`-logFormat`). text: the message first,
/// as operators and scripts read it, then metadata as `key=value` and the
/// level when it is not info or notice. json and logfmt: a timestamp and
/// the level on every line, the message, and its fields (the metadata and
/// the message's own `key=value` counts), for a log pipeline to index.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json, logfmt

    /// The format of the lines said outside swift-log (the invocation's
    /// warnings, a run's last word, the one-line error it exits with).
    /// Safe as a plain static: set once, as the invocation is read,
    /// before any other thread starts.
    nonisolated(unsafe) public static var inEffect: LogFormat = .text

    /// One line on stderr, not through swift-log: as it is in text, with
    /// a timestamp and `level` in json and logfmt.
    public static func say(_ message: String, level: Logger.Level = .info) {
        printError(inEffect == .text ? message : inEffect.line(level: level, message: message, metadata: [:]))
    }

    func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let keys = metadata.keys.sorted()
        switch self {
        case .text:
            var line = message
            for key in keys { line += " \(key)=\(metadata[key]!)" }
            if level != .info, level != .notice { line += " level=\(level)" }
            return line
        case .json:
            var line = "{\"time\":\"\(WallClock.rfc3339())\",\"level\":\"\(level)\",\"msg\":" + Self.jsonString(message)
            for (key, value) in Self.fields(message: message, metadata: metadata) {
                line += "," + Self.jsonString(key) + ":" + (Self.isNumber(value) ? value : Self.jsonString(value))
            }
            return line + "}"
        case .logfmt:
            var line = "time=\(WallClock.rfc3339()) level=\(level) msg=" + Self.logfmtValue(message)
            for (key, value) in Self.fields(message: message, metadata: metadata) { line += " \(key)=" + Self.logfmtValue(value) }
            return line
        }
    }

    /// The metadata, then what the message says as fields: `poll N: M ms`
    /// (the poll line's start) as poll and duration_ms, and every
    /// `key=value` word (`sockets=2020`, `delivered=4`). A key said twice
    /// keeps its first value; `time`, `level` and `msg` are not fields.
    static func fields(message: String, metadata: Logger.Metadata) -> [(String, String)] {
        // time, level and msg are the line's own: never a field.
        var seen: Set = ["time", "level", "msg"]
        var fields: [(String, String)] = []
        func add<S: StringProtocol>(_ key: String, _ value: S) {
            if seen.insert(key).inserted { fields.append((key, String(value))) }
        }
        for key in metadata.keys.sorted() { add(key, "\(metadata[key]!)") }
        let words = message.split(separator: " ")
        if words.count >= 4, words[0] == "poll", words[1].hasSuffix(":"), isNumber(words[1].dropLast()), words[3] == "ms", isNumber(words[2]) {
            add("poll", words[1].dropLast())
            add("duration_ms", words[2])
        }
        for word in words {
            guard let equals = word.firstIndex(of: "="), case let key = word[..<equals], let first = key.first, first.isLetter,
                  key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { continue }
            add(String(key), word[word.index(after: equals)...])
        }
        return fields
    }

    static func isNumber<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.count <= 18 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A JSON string: quotes, backslashes and every character a log line
    /// must not carry raw (LineText's) as escapes.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where LineText.needsEscape(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A logfmt value: bare when it is one plain word, else quoted as JSON
    /// quotes it.
    static func logfmtValue(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0 != " " && $0 != "\"" && $0 != "=" && $0 != "\\" && !LineText.needsEscape($0) }
        return plain ? text : jsonString(text)
    }
}
