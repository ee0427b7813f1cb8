import Destinations
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// What one start of xtcp is to do, and with which configuration: the
/// flags on the command line, then `XTCP_*` variables for flags not given
/// there, then the defaults, each validated by `FlagTable`'s entry, and
/// then the checks that span flags. The executable only parses the
/// command line into `given` and runs what this says; tests build one in
/// process.
public struct Invocation: Sendable {
    public enum Mode: Sendable, Equatable {
        case poll
        case replay(path: String)
        case capture(path: String)
        /// `-conf`: print the configuration.
        case printConfiguration
        case healthcheck
        case version
    }

    public var mode: Mode
    public var config: DaemonConfig
    /// Lines to say before running (an environment variable that does not
    /// apply to this run, and is left alone).
    public var warnings: [String] = []

    /// `given`: each flag on the command line, by its table name, with its
    /// values (none for a toggle). `hostname` is this host's name.
    public init(given: [String: [String]], environment: [String: String] = [:],
                hostname: @autoclosure () -> String = Hostname.current()) throws(UsageError) {
        var draft = ConfigurationDraft(config: DaemonConfig(identity: RecordIdentity(hostname: "")))
        // The mode first: it says which flags apply.
        let replay = given["replay"]?.last, capture = given["capture"]?.last
        if replay != nil, capture != nil { throw UsageError("-replay and -capture exclude each other") }
        let runs: FlagDefinition.Runs = replay != nil ? .replay : capture != nil ? .capture : .poll
        let modeName = replay != nil ? "-replay" : "-capture"
        var warnings = EnvironmentCheck.warnings(environment)
        for flag in FlagTable.flags {
            var values: [FlagValue] = []
            if let texts = given[flag.name] {
                guard flag.runs.contains(runs) || given["conf"] != nil else {
                    throw UsageError("-\(flag.name) does not apply to \(modeName)")
                }
                values = (flag.kind == .toggle ? [""] : texts).map { FlagValue(text: $0, flag: flag.name, source: .commandLine, environmentName: flag.environmentName) }
            } else if flag.fromEnvironment, let text = environment[flag.environmentName] {
                // A listener turned off (XTCP_GRPCLISTEN=off) is what
                // these runs have anyway: nothing to warn of.
                if !flag.runs.contains(runs), text != "off" {
                    warnings.append("xtcp: \(flag.environmentName) does not apply to \(modeName): left alone")
                    continue
                }
                if flag.kind == .toggle {
                    guard let on = EnvironmentCheck.switchValue(text) else {
                        warnings.append("xtcp: \(flag.environmentName)=\(text): a switch is 1, true or yes (on) or 0, false or no (off): left alone")
                        continue
                    }
                    guard on else { continue }
                }
                values = [FlagValue(text: text, flag: flag.name, source: .environment, environmentName: flag.environmentName)]
            } else if let text = flag.defaultText, flag.kind == .value {
                values = [FlagValue(text: text, flag: flag.name, source: .defaultValue, environmentName: flag.environmentName)]
            }
            for value in values {
                try flag.apply(&draft, value)
                draft.values[flag.name] = value
            }
        }
        try Self.finish(&draft, hostname: hostname)
        config = draft.config
        self.warnings = warnings
        mode = draft.version ? .version : draft.healthcheck ? .healthcheck : draft.conf ? .printConfiguration
            : replay.map { .replay(path: $0) } ?? capture.map { .capture(path: $0) } ?? .poll
    }

    /// What is decided once every flag is in: defaults derived from other
    /// flags, and the checks that span flags.
    static func finish(_ draft: inout ConfigurationDraft, hostname: () -> String) throws(UsageError) {
        var config = draft.config
        config.identity.hostname = draft.hostname ?? hostname()
        config.timeout = draft.timeout ?? config.frequency
        config.timeoutFollowsFrequency = draft.timeout == nil
        guard config.timeout.nanoseconds <= config.frequency.nanoseconds else {
            // Named as they were given: a flag, or a variable.
            let timeout = draft.values["timeout"]?.display ?? "-timeout \(config.timeout)"
            let frequency = draft.values["frequency"]?.display ?? "-frequency \(config.frequency)"
            throw UsageError("\(timeout) is longer than \(frequency): polls would overlap")
        }
        config.marshal = draft.marshal ?? (config.destination == .stdout ? .jsonl : .protobufList)
        if let columns = draft.values["columns"], config.marshal != .csv, config.marshal != .tsv {
            throw UsageError("\(columns.display): only -marshal csv and tsv choose columns (this run writes \(config.marshal.rawValue))")
        }
        try checkS3(&config, draft)
        try checkGRPC(&config, draft)
        if config.destination.isDatagram {
            // A datagram carries at most 65,507 bytes; the flush happens
            // after the row that crosses the threshold, so leave room for one.
            let limit = DatagramDestination.maxIPv4Datagram - 5 * 1024
            config.envelopeFlushBytes = draft.envelopeFlushBytes?.value ?? 60_000
            guard config.envelopeFlushBytes <= limit else {
                throw UsageError("\(draft.envelopeFlushBytes?.display ?? "-envelopeFlushBytes"): with -dest udp: or unixgram: at most \(limit), so an envelope fits one datagram")
            }
        } else {
            config.envelopeFlushBytes = draft.envelopeFlushBytes?.value ?? (config.marshal == .parquet ? parquetRowGroupBytes : 768 * 1024)
            guard config.envelopeFlushBytes <= 64 * 1024 * 1024 else {
                throw UsageError("\(draft.envelopeFlushBytes?.display ?? "-envelopeFlushBytes"): must be at most 67108864")
            }
        }
        guard config.envelopeFlushBytes >= 1024 else {
            throw UsageError("\(draft.envelopeFlushBytes?.display ?? "-envelopeFlushBytes"): must be at least 1024")
        }
        if draft.debug { config.logLevel = .debug }
        draft.config = config
    }

    /// `-dest s3:` needs its bucket and keys; Parquet is only written there
    /// (a batch is a row group, not a file: the object gives it its footer).
    /// A Parquet batch is a row group: bigger ones read faster.
    static let parquetRowGroupBytes = 4 << 20

    static func checkS3(_ config: inout DaemonConfig, _ draft: ConfigurationDraft) throws(UsageError) {
        let marshal = draft.values["marshal"]?.display ?? "-marshal \(config.marshal.rawValue)"
        guard config.destination == .s3 else {
            if config.marshal == .parquet { throw UsageError("\(marshal): Parquet is written to S3 objects only (-dest s3:)") }
            return
        }
        if config.s3.bucket.isEmpty { throw UsageError("-dest s3: needs -s3Bucket") }
        if config.s3.accessKey.isEmpty || config.s3.secretKey.isEmpty { throw UsageError("-dest s3: needs -s3AccessKey and -s3SecretKeyFile") }
    }

    /// `-grpcPort` (xtcp2's) is `-grpcListen 127.0.0.1:PORT`; not both.
    /// TLS needs its certificate and its key.
    static func checkGRPC(_ config: inout DaemonConfig, _ draft: ConfigurationDraft) throws(UsageError) {
        if let port = draft.values["grpcPort"] {
            if let listen = draft.values["grpcListen"], listen.source != .defaultValue {
                throw UsageError("\(port.display) and \(listen.display): give one (-grpcPort N is -grpcListen 127.0.0.1:N)")
            }
            config.grpc.listen = "127.0.0.1:\(port.text)"
        }
        switch (draft.values["grpcTLSCert"], draft.values["grpcTLSKey"]) {
        case (let cert?, nil): throw UsageError("\(cert.display): needs -grpcTLSKey too")
        case (nil, let key?): throw UsageError("\(key.display): needs -grpcTLSCert too")
        default: break
        }
        if config.grpc.listen == nil, let given = ["grpcTLSCert", "grpcToken", "grpcTokenFile"].compactMap({ draft.values[$0] }).first {
            throw UsageError("\(given.display): the gRPC listener is off (-grpcListen off)")
        }
    }

    /// The configuration as `-conf` prints it: one `name value` per line,
    /// in the table's order (repeatable flags once per value).
    public static func lines(of config: DaemonConfig) -> [String] {
        FlagTable.flags.flatMap { flag in (flag.show?(config) ?? []).map { "\(flag.name) \($0)" } }
    }
}

/// This host's name (gethostname), as records are stamped by default.
public enum Hostname {
    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
