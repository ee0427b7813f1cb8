import Netlink
import RecordFmt

/// Everything the daemon's flags decide, validated: what `-conf` prints.
public struct DaemonConfig: Sendable, Equatable {
    /// Time between polls.
    public var frequency: GoDuration = .seconds(10)
    /// The longest a poll may take; a dump still running then is abandoned
    /// and counted. At most `frequency` (a poll never overlaps the next).
    public var timeout: GoDuration = .seconds(10)
    /// Each tick is delayed by a random 0 to this percentage of `frequency`,
    /// so a fleet started together does not poll in step.
    public var pollJitterPercent: Int = 10
    /// Polls before exiting; 0 polls until signalled.
    public var maxLoops: Int = 0
    /// Netlinker threads per namespace.
    public var netlinkers: Int = 4
    /// The longest a netlink receive may wait before the dump is counted as
    /// stalled and its socket replaced.
    public var netlinkTimeout: GoDuration = .seconds(1)
    /// Bytes of each netlinker's receive buffer.
    public var packetSize: Int = 32 * 1024
    public var attributes: DiagAttributeSet = .defaultSet
    public var marshal: MarshalFormat = .protobufList
    public var envelopeFlushRows: Int = 10_000
    public var envelopeFlushBytes: Int = 768 * 1024
    public var destination: DestinationSpec = .stdout
    /// The producer's options, used when `destination` is Kafka.
    public var kafka = KafkaSettings()
    public var identity: RecordIdentity

    public init(identity: RecordIdentity) { self.identity = identity }

    /// Bytes of an envelope buffer: the flush threshold plus room for the
    /// row that crosses it.
    public var envelopeCapacity: Int { envelopeFlushBytes + 64 * 1024 }

    /// Opens `destination` with these options.
    public func openDestination() throws -> any Destination {
        var kafka = kafka
        kafka.envelopeCapacity = envelopeCapacity
        return try destination.open(kafka: kafka)
    }

    /// Shards per address family for `netlinkers` threads: each family
    /// gets half of them, at least one shard.
    public var partsPerFamily: Int { max(1, (netlinkers + 1) / 2) }

    /// The configuration as `-conf` prints it: one `name value` per line,
    /// in flag order, with the flag names.
    public var lines: [String] {
        [
            "frequency \(frequency)",
            "timeout \(timeout)",
            "pollJitterPct \(pollJitterPercent)",
            "maxLoops \(maxLoops)",
            "netlinkers \(netlinkers)",
            "nltimeout \(netlinkTimeout)",
            "packetSize \(packetSize)",
            "deserializers \(attributes)",
            "marshal \(marshal.rawValue)",
            "envelopeFlushRows \(envelopeFlushRows)",
            "envelopeFlushBytes \(envelopeFlushBytes)",
            "dest \(destination)",
            "topic \(kafka.topic)",
            "kafkaCompression \(kafka.compression.rawValue)",
            "kafkaQueueKBytes \(kafka.queueKBytes)",
            "kafkaMessageTimeout \(kafka.messageTimeout)",
            "kafkaQueueFullWait \(kafka.queueFullWait)",
            "kafkaFlushTimeout \(kafka.flushTimeout)",
            "kafkaStartTimeout \(kafka.startTimeout)",
        ] + kafka.properties.map { "kafkaProperty \($0)" } + [
            "hostname \(identity.hostname)",
            "location \(identity.location)",
            "label \(identity.label)",
            "tag \(identity.tag)",
        ]
    }
}
