import Logging
import Platform

/// xtcp's swift-log backend: one line per message on stderr, written whole
/// with one write(2), in the format `-logFormat` names (`LogFormat`).
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let format: LogFormat

    public init(label: String, level: Logger.Level, format: LogFormat = .text) {
        logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        printError(format.line(level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// The levels `-logLevel` takes, least to most severe.
    public static let levelNames = Logger.Level.allCases.map(\.rawValue)
}
