import Destinations
import GRPCCore
import SwiftProtobuf
import XTCP

/// xtcp2's `xtcp_config.v1.ConfigService`: the configuration, the poll
/// timing, polls on demand, the s3: object sizing. Each call asks the poll
/// loop through `PollControl` and never runs on its thread or a
/// netlinker's. docs/grpc.md says what each does and answers.
struct ConfigService: XtcpConfig_V1_ConfigService.SimpleServiceProtocol {
    let handles: DaemonHandles
    let schema: APISchema

    private var s3: S3Destination? { handles.destination.current as? S3Destination }

    private var current: XtcpConfig_V1_XtcpConfig {
        XtcpConfigMapping.message(handles.config, timing: handles.control.timing, s3: s3?.tuning)
    }

    func get(request: XtcpConfig_V1_GetRequest, context: ServerContext) async throws -> XtcpConfig_V1_GetResponse {
        .with { $0.config = current }
    }

    /// What can change while running changes; anything else that differs
    /// from the running configuration is refused, all of it (nothing is
    /// applied), naming the fields: those need a restart with new flags.
    /// A field left at its default (proto3 sends no zero) is unchanged.
    func set(request: XtcpConfig_V1_SetRequest, context: ServerContext) async throws -> XtcpConfig_V1_SetResponse {
        let asked = request.config
        let changed = try schema.changedFields(of: "xtcp_config.v1.XtcpConfig", in: asked.serializedBytes(), against: current.serializedBytes())
        let restart = changed.filter { !Self.liveFields.contains($0) && !(asked.s3SecretKey == XtcpConfigMapping.redacted && $0 == "s3_secret_key") }
        guard restart.isEmpty else {
            throw RPCError(code: .failedPrecondition, message: """
                these fields need a restart with new flags: \(restart.joined(separator: ", ")) \
                (applied while running: \(Self.liveFields.sorted().joined(separator: ", "))); nothing was applied
                """)
        }
        if changed.contains("poll_frequency") || changed.contains("poll_timeout") {
            try setTiming(frequency: changed.contains("poll_frequency") ? asked.pollFrequency : nil,
                          timeout: changed.contains("poll_timeout") ? asked.pollTimeout : nil)
        }
        if changed.contains("s3_flush_interval") || changed.contains("s3_parquet_flush_threshold_bytes") {
            try retuneS3(interval: changed.contains("s3_flush_interval") ? asked.s3FlushInterval : nil,
                         bytes: changed.contains("s3_parquet_flush_threshold_bytes") ? asked.s3ParquetFlushThresholdBytes : nil)
        }
        return .with { $0.config = current }
    }

    /// The fields `Set` applies while running.
    static let liveFields: Set<String> = ["poll_frequency", "poll_timeout", "s3_flush_interval", "s3_parquet_flush_threshold_bytes"]

    func setPollFrequency(request: XtcpConfig_V1_SetPollFrequencyRequest, context: ServerContext) async throws -> XtcpConfig_V1_SetPollFrequencyResponse {
        guard request.hasPollFrequency || request.hasPollTimeout else {
            throw RPCError(code: .invalidArgument, message: "give poll_frequency, poll_timeout or both")
        }
        try setTiming(frequency: request.hasPollFrequency ? request.pollFrequency : nil, timeout: request.hasPollTimeout ? request.pollTimeout : nil)
        return .with { $0.config = current }
    }

    private func setTiming(frequency: Google_Protobuf_Duration?, timeout: Google_Protobuf_Duration?) throws(RPCError) {
        let frequency = try frequency.map { duration throws(RPCError) in try valid(duration, "poll_frequency") }
        let timeout = try timeout.map { duration throws(RPCError) in try valid(duration, "poll_timeout") }
        do { try handles.control.setTiming(frequency: frequency, timeout: timeout) } catch { throw RPCError(refusal: error) }
    }

    func triggerPoll(request: XtcpConfig_V1_TriggerPollRequest, context: ServerContext) async throws -> XtcpConfig_V1_TriggerPollResponse {
        guard await handles.control.poll(joiningInFlight: true) != nil else {
            throw RPCError(code: .unavailable, message: "xtcp is stopping: no more polls")
        }
        return XtcpConfig_V1_TriggerPollResponse()
    }

    func triggerPollBurst(request: XtcpConfig_V1_TriggerPollBurstRequest, context: ServerContext) async throws -> XtcpConfig_V1_TriggerPollBurstResponse {
        guard request.hasInterval else { throw RPCError(code: .invalidArgument, message: "give interval (at least the poll timeout)") }
        let interval = try valid(request.interval, "interval")
        do { try handles.control.startBurst(count: Int(request.count), interval: interval) } catch { throw RPCError(refusal: error) }
        return .with {
            $0.count = request.count
            $0.interval = request.interval
        }
    }

    func setS3Upload(request: XtcpConfig_V1_SetS3UploadRequest, context: ServerContext) async throws -> XtcpConfig_V1_SetS3UploadResponse {
        guard request.hasS3FlushInterval || request.s3ParquetFlushThresholdBytes != 0 else {
            throw RPCError(code: .invalidArgument, message: "give s3_flush_interval, s3_parquet_flush_threshold_bytes or both")
        }
        try retuneS3(interval: request.hasS3FlushInterval ? request.s3FlushInterval : nil,
                     bytes: request.s3ParquetFlushThresholdBytes != 0 ? request.s3ParquetFlushThresholdBytes : nil)
        return .with { $0.config = current }
    }

    private func retuneS3(interval: Google_Protobuf_Duration?, bytes: UInt32?) throws(RPCError) {
        guard let s3 else {
            throw RPCError(code: .failedPrecondition, message: "the destination is \(handles.config.destination), not s3:")
        }
        let interval = try interval.map { duration throws(RPCError) in try valid(duration, "s3_flush_interval") }
        if let interval, interval < S3Destination.shortestFlushInterval {
            throw RPCError(code: .invalidArgument, message: "s3_flush_interval \(interval): at least 1ms")
        }
        if let bytes, !S3Destination.flushBytesRange.contains(Int(bytes)) {
            throw RPCError(code: .invalidArgument, message: """
                s3_parquet_flush_threshold_bytes \(bytes): expected \(S3Destination.flushBytesRange.lowerBound) to \(S3Destination.flushBytesRange.upperBound)
                """)
        }
        _ = s3.retune(flushBytes: bytes.map(Int.init), flushInterval: interval)
    }

    private func valid(_ duration: Google_Protobuf_Duration, _ field: String) throws(RPCError) -> Duration {
        guard let value = duration.swiftDuration else {
            throw RPCError(code: .invalidArgument, message: "\(field): not a duration (seconds \(duration.seconds), nanos \(duration.nanos))")
        }
        return value
    }
}

extension RPCError {
    init(refusal: PollControl.Refusal) {
        switch refusal {
        case .invalid(let why): self.init(code: .invalidArgument, message: why)
        case .busy(let why): self.init(code: .resourceExhausted, message: why)
        }
    }
}
