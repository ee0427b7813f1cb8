/// Everything a destination is opened with, from the flags: each kind
/// reads its own part.
public struct DestinationSettings: Sendable {
    /// Kafka's producer; its `topic` is also Valkey's channel or stream
    /// and NATS's subject (`-topic`).
    public var kafka = KafkaSettings()
    /// file:, stdout, stderr, and the streams' patience and header.
    public var file = FileSettings()
    public var valkey = ValkeySettings()
    public var http = HTTPSettings()
    public var s3 = S3Settings()
    /// `-natsJetStream`.
    public var natsJetStream = false
    public init() {}
}
