/// Compression of Kafka message batches (`-kafkaCompression`).
public enum KafkaCompression: String, CaseIterable, Sendable {
    case lz4, zstd, none
}

/// The Kafka producer's options (the `-topic` and `-kafka*` flags). Memory
/// is bounded by `queueKBytes`: librdkafka holds at most that much, and the
/// envelope buffers lent to it are at least half full (smaller envelopes are
/// copied), so xtcp's share stays below twice that.
public struct KafkaSettings: Sendable, Equatable {
    public var topic = "xtcp"
    public var compression: KafkaCompression = .lz4
    /// librdkafka's queue.buffering.max.kbytes: envelopes waiting for the broker.
    public var queueKBytes = 16 * 1024
    /// How long librdkafka retries an envelope before it is dropped
    /// (counted as `delivery failed`).
    public var messageTimeout: Duration = .seconds(60)
    /// How long a netlinker waits for room when the queue is full before the
    /// envelope is dropped (`queue full`). Once a wait has run out, envelopes
    /// are dropped at once until the queue takes one again, so a dead broker
    /// never stalls the polls.
    public var queueFullWait: Duration = .seconds(1)
    /// How long shutdown waits for deliveries; what is left is dropped
    /// (`shutdown`).
    public var flushTimeout: Duration = .seconds(3)
    /// How long the start waits to reach a broker before giving up (exit 3).
    public var startTimeout: Duration = .seconds(10)
    /// Further librdkafka properties (`-kafkaProperty key=value`), applied
    /// last: TLS, SASL, client.id, ….
    public var properties: [Property] = []
    /// Those of `-kafkaPropertyFile`, applied before `properties` (so the
    /// command line has the last word), and the file's path.
    public var fileProperties: [Property] = []
    public var propertyFile: String?
    /// Bytes of a new envelope buffer (set from `-envelopeFlushBytes`).
    public var envelopeCapacity = 768 * 1024 + 64 * 1024

    public struct Property: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
        public init(parsing text: String) throws(DestinationSpec.ParseError) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                // What follows an `=` may be a secret: not said.
                throw DestinationSpec.ParseError(text: text.hasPrefix("=") ? "=<redacted>" : text, why: "expected key=value (a librdkafka property)")
            }
            key = String(text[..<equals])
            value = String(text[text.index(after: equals)...])
        }
        /// `key=value`, or `key=<redacted>` for a secret: what every
        /// line xtcp prints shows (`-conf`, `-d`, errors).
        public var description: String { isSecret ? "\(key)=<redacted>" : "\(key)=\(value)" }

        /// A password, a secret, a token or a private key: never printed.
        public var isSecret: Bool { Self.isSecret(key: key) }

        public static func isSecret(key: String) -> Bool {
            let key = key.lowercased()
            return ["password", "secret", "token", "credential"].contains { key.contains($0) }
                || key == "ssl.key.pem" || key == "ssl_key.pem" || key.hasPrefix("sasl.oauthbearer.config")
        }

        /// The lines of a properties file: `key=value`, blank lines and
        /// `#` comments skipped. An error names the line, never its text.
        public static func parse(file text: String, path: String) throws(DestinationSpec.ParseError) -> [Property] {
            var out: [Property] = []
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingWhitespace
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                    throw DestinationSpec.ParseError(text: "\(path) line \(index + 1)", why: "expected key=value (a librdkafka property)")
                }
                out.append(Property(key: String(line[..<equals]).trimmingWhitespace, value: String(line[line.index(after: equals)...]).trimmingWhitespace))
            }
            return out
        }
    }

    public init() {}

    /// queue.buffering.max.kbytes as librdkafka takes it: the last given.
    public var effectiveQueueKBytes: Int {
        librdkafkaProperties(brokers: "").last { $0.key == "queue.buffering.max.kbytes" }.flatMap { Int($0.value) } ?? queueKBytes
    }

    /// The producer configuration, in the order it is applied.
    public func librdkafkaProperties(brokers: String) -> [Property] {
        [
            Property(key: "bootstrap.servers", value: brokers),
            Property(key: "enable.idempotence", value: "true"),
            Property(key: "compression.codec", value: compression.rawValue),
            Property(key: "queue.buffering.max.kbytes", value: String(queueKBytes)),
            Property(key: "message.timeout.ms", value: String(messageTimeout.milliseconds)),
            // An envelope is up to -envelopeFlushBytes plus one row; the
            // default of 1,000,000 bytes holds the default flush size.
            Property(key: "message.max.bytes", value: String(max(1_000_000, envelopeCapacity + 64 * 1024))),
            // Envelopes are already batches: send them promptly.
            Property(key: "linger.ms", value: "5"),
            // A broker that comes back is used within 2 s (librdkafka's
            // default backs off to 10 s).
            Property(key: "reconnect.backoff.max.ms", value: "2000"),
        ] + fileProperties + properties
    }
}

extension Duration {
    /// Whole milliseconds, as librdkafka's `*.ms` properties take them.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
