import Destinations
import SwiftProtobuf
import XTCP

/// The effective configuration as xtcp2's `XtcpConfig` message: the fields
/// xtcp has a flag for, live values (the poll timing, the s3: object
/// sizing) as they are now, secrets replaced by `redacted`. Fields of
/// xtcp2's that xtcp has no flag for stay at their defaults (docs/grpc.md).
enum XtcpConfigMapping {
    /// What a secret reads as in `Get`; `Set` takes it as "unchanged".
    static let redacted = "(redacted)"

    static func message(_ config: DaemonConfig, timing: PollControl.Timing, s3 live: S3Destination.Tuning?) -> XtcpConfig_V1_XtcpConfig {
        var out = XtcpConfig_V1_XtcpConfig()
        out.nlTimeoutMilliseconds = UInt64(max(0, config.netlinkTimeout.nanoseconds / 1_000_000))
        out.pollFrequency = .init(timing.frequency)
        out.pollTimeout = .init(timing.timeout)
        out.maxLoops = UInt64(config.maxLoops)
        out.netlinkers = UInt32(config.netlinkers)
        out.packetSize = UInt64(config.packetSize)
        out.marshalTo = config.marshal.rawValue
        out.envelopeFlushThresholdBytes = UInt32(config.envelopeFlushBytes)
        out.envelopeFlushThresholdRows = UInt32(config.envelopeFlushRows)
        out.kafkaCompression = config.kafka.compression.rawValue
        out.dest = "\(config.destination)"
        out.topic = config.kafka.topic
        out.debugLevel = config.logLevel <= .debug ? 1 : 0
        out.label = config.identity.label
        out.tag = config.identity.tag
        out.location = config.identity.location
        out.hostname = config.identity.hostname
        out.daemonVersion = XTCPVersion.daemon
        out.resolveContainerID = config.resolveContainerID
        if let listen = config.grpc.listen.flatMap(ListenAddress.init) { out.grpcPort = UInt32(listen.port) }
        out.ioUring = config.ioUring
        out.ioUringRecvBatchSize = UInt32(config.ioUringWindow)
        out.ioUringCqeBatchSize = UInt32(config.ioUringCqeBatch)
        if config.marshal == .csv || config.marshal == .tsv { out.csvColumns = config.columns.names.joined(separator: ",") }
        out.pollJitterPct = UInt32(config.pollJitterPercent)
        out.reconcileFrequency = .init(config.reconcileFrequency.duration)
        out.reconcileBeforePoll = true
        out.enrichContainerEnable = config.enrichContainer
        out.dockerSocketPath = config.dockerSocket
        out.enrichLldpEnable = config.enrichLLDP
        out.lldpdSocketPath = config.lldpdSocket
        out.enrichNicEnable = config.enrichNIC
        out.uplinkCount = UInt32(config.uplinkCount)
        out.uplinkInterfaces = config.uplinkInterfaces
        if config.destination == .s3 {
            let s3 = config.s3
            out.s3Endpoint = s3.endpoint
            out.s3Bucket = s3.bucket
            out.s3Prefix = s3.prefix
            out.s3AccessKey = s3.accessKey
            out.s3SecretKey = s3.secretKey.isEmpty ? "" : redacted
            out.s3Region = s3.region
            out.s3SkipBucketProbe = s3.skipBucketProbe
            out.s3ParquetFlushThresholdBytes = UInt32(clamping: live?.flushBytes ?? s3.flushBytes)
            out.s3FlushInterval = .init(live?.flushInterval ?? s3.flushInterval)
            out.s3FlushJitterPct = UInt32(s3.flushJitterPercent)
            out.s3FlushThresholdJitterPct = UInt32(s3.flushThresholdJitterPercent)
            out.s3UploadMaxAttempts = UInt32(s3.uploadMaxAttempts)
            out.s3UploadBackoffCap = .init(s3.uploadBackoffCap)
        }
        return out
    }
}

extension Google_Protobuf_Duration {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(seconds: seconds, nanos: Int32(attoseconds / 1_000_000_000))
    }

    /// As a Swift duration; nil for a negative one or nanos out of range.
    var swiftDuration: Duration? {
        guard seconds >= 0, nanos >= 0, nanos < 1_000_000_000 else { return nil }
        return .seconds(seconds) + .nanoseconds(Int64(nanos))
    }
}
