import Logging
import Platform

/// xtcp's swift-log backend: one line per message on stderr, written whole
/// with one write(2). The message comes first, as operators and scripts
/// read it (`poll 12: 41 ms namespaces=3 sockets=…`); metadata follows as
/// `key=value`; a level other than info or notice is said at the end
/// (`level=warning`), so a line's meaning does not move with its level.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, level: Logger.Level) {
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(event.message)"
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
        if event.level != .info, event.level != .notice { line += " level=\(event.level)" }
        printError(line)
    }

    /// The levels `-logLevel` takes, least to most severe.
    public static let levelNames = Logger.Level.allCases.map(\.rawValue)
}
