/// xtcp2's flags and the environment variables it reads, with xtcp's
/// equivalent where there is one: for the warning when an xtcp2 variable
/// is set (xtcp does not read it), and for the README's table (a test
/// checks they agree).
public enum XTCP2Names {
    public struct Entry: Sendable {
        /// xtcp2's flag, without the dash.
        public var flag: String
        /// The variables xtcp2 reads for it (unprefixed, mostly).
        public var variables: [String]
        /// xtcp's flag, when it has one.
        public var ours: String?
        /// How they differ, when they do.
        public var note: String

        init(_ flag: String, _ variables: [String] = [], _ ours: String? = nil, _ note: String = "") {
            self.flag = flag
            self.variables = variables
            self.ours = ours
            self.note = note
        }
    }

    public static let entries: [Entry] = [
        Entry("frequency", ["POLL_FREQUENCY", "FREQUENCY"], "frequency"),
        Entry("timeout", ["POLL_TIMEOUT", "TIMEOUT"], "timeout", "xtcp2's default is 5s; xtcp's is -frequency"),
        Entry("maxLoops", ["MAX_LOOPS"], "maxLoops"),
        Entry("netlinkers", ["NETLINKERS"], "netlinkers", "xtcp's are shared by every namespace, at most one per CPU (-cpus)"),
        Entry("nltimeout", ["NLTIMEOUTMS"], "nltimeout", "milliseconds in xtcp2 (1000); a Go duration in xtcp (1s)"),
        Entry("nlmsgSeq", ["NLMSQSEQ"]),
        Entry("packetSize", ["PACKET_SIZE"], "packetSize", "xtcp's is the whole buffer in bytes: xtcp2's packetSize × packetSizeMply"),
        Entry("packetSizeMply", ["PACKETSIZEMPLY"], "packetSize"),
        Entry("pollJitterPct", [], "pollJitterPct"),
        Entry("reconcileFrequency", [], "reconcileFrequency", "0s in xtcp: namespaces are followed by inotify and reconciled before every poll"),
        Entry("reconcileBeforePoll", [], nil, "always, in xtcp"),
        Entry("modulus", ["MODULUS"]),
        Entry("deserializers", ["DESERIALIZERS"], "deserializers"),
        Entry("ioUring", [], "ioUring"),
        Entry("ioUringRecvBatch", [], "ioUringRecvBatch"),
        Entry("ioUringCqeBatch", [], "ioUringCqeBatch"),
        Entry("writeFiles", ["WRITEFILES"], "capture", "xtcp writes one pcapng of one dump: `xtcp -capture FILE`"),
        Entry("capturePath", ["CAPTUREPATH"], "capture"),
        Entry("dest", ["DEST"], "dest", "xtcp has stdout, stderr, null, file:, udp:, tcp:, unix:, unixgram:, valkey:, redis:, nats:, http(s)://, s3: (with -marshal parquet: xtcp2's s3parquet:) and kafka:; not nsq:"),
        Entry("destWriteFiles", ["DEST_WRITE_FILES"]),
        Entry("marshal", ["MARSHAL"], "marshal"),
        Entry("protobufListLengthDelimit", ["PROTOBUF_LIST_LENGTH_DELIMIT"], "marshal", "xtcp's protobufList is always uvarint-length framed"),
        Entry("envelopeFlushBytes", [], "envelopeFlushBytes"),
        Entry("envelopeFlushRows", [], "envelopeFlushRows"),
        Entry("columns", [], "columns"),
        Entry("topic", ["TOPIC"], "topic"),
        Entry("kafkaCompression", [], "kafkaCompression", "xtcp: lz4, zstd or none"),
        Entry("produceTimeout", ["KAFKA_PRODUCE_TIMEOUT"], "kafkaMessageTimeout"),
        Entry("kafkaSchemaUrl", ["KAFKA_SCHEMA_URL"]),
        Entry("xtcpProtoFile", ["XTCP_PROTO_FILE"]),
        Entry("hostname", ["XTCP_HOSTNAME"], "hostname", "the same variable"),
        Entry("location", ["LOCATION"], "location"),
        Entry("label", ["LABEL"], "label"),
        Entry("tag", ["TAG"], "tag"),
        Entry("promListen", ["PROM_LISTEN"], "promListen", "xtcp2 listens on every address (:9088); xtcp on loopback (127.0.0.1:9088)"),
        Entry("promPath", ["PROM_PATH"], "promPath"),
        Entry("promListenNetwork", ["PROM_LISTEN_NETWORK"]),
        Entry("promUnixSocketMode", ["PROM_UNIX_SOCKET_MODE"]),
        Entry("promUnlinkStaleUnixSocket", ["PROM_UNLINK_STALE_UNIX_SOCKET"]),
        Entry("healthcheck", [], "healthcheck", "xtcp's asks /healthz"),
        Entry("profile.mode", [], "profile.mode", "xtcp: cpu only (and /debug/pprof/profile at any time)"),
        Entry("d", ["DEBUG_LEVEL"], "logLevel", "a number in xtcp2 (111); a level name in xtcp (-d is -logLevel debug)"),
        Entry("conf", [], "conf"),
        Entry("v", [], "version"),
        Entry("goMaxProcs", [], "cpus", "GOMAXPROCS is Go's own, so not warned about"),
        Entry("maxThreads", []),
        Entry("grpcPort", ["GRPC_PORT"], "grpcPort", "the same in xtcp: -grpcListen 127.0.0.1:PORT"),
        Entry("grpcListenAddress", ["GRPC_LISTEN_ADDRESS"], "grpcListen", "xtcp takes HOST:PORT in one flag; loopback by default, with optional TLS and a bearer token"),
        Entry("grpcListenNetwork", ["GRPC_LISTEN_NETWORK"]),
        Entry("grpcUnixSocketMode", ["GRPC_UNIX_SOCKET_MODE"]),
        Entry("grpcUnlinkStaleUnixSocket", ["GRPC_UNLINK_STALE_UNIX_SOCKET"]),
        Entry("ipv4Ttl", ["IPV4_TTL"]),
        Entry("ipv6HopLimit", ["IPV6_HOP_LIMIT"]),
        Entry("listenerAuthMode", ["LISTENER_AUTH_MODE"]),
        Entry("listenerRawToken", ["LISTENER_RAW_TOKEN", "LISTENER_RAW_TOKEN_FILE"]),
        Entry("listenerHMACSharedKey", ["LISTENER_HMAC_SHARED_KEY", "LISTENER_HMAC_SHARED_KEY_FILE"]),
        Entry("listenerSignedSkewMinutes", ["LISTENER_SIGNED_SKEW_MINUTES"]),
        Entry("listenerAuthFailureJitterMin", ["LISTENER_AUTH_FAILURE_JITTER_MIN"]),
        Entry("listenerAuthFailureJitterMax", ["LISTENER_AUTH_FAILURE_JITTER_MAX"]),
        Entry("resolveContainerId", ["CONTAINER_ID_RESOLVE"], "resolveContainerId", "per socket, from its cgroup, in xtcp; on by default"),
        Entry("populateNsid", ["POPULATE_NSID"]),
        Entry("enrichContainer", ["ENRICH_CONTAINER"], "enrichContainer", "Docker's Engine API; on by default in xtcp"),
        Entry("dockerSocket", ["DOCKER_SOCKET"], "dockerSocket"),
        Entry("enrichLldp", ["ENRICH_LLDP"], "enrichLldp", "through liblldpctl; on by default in xtcp"),
        Entry("lldpdSocket", ["LLDPD_SOCKET"], "lldpdSocket"),
        Entry("lldpdVersionHint", ["LLDPD_VERSION_HINT"], nil, "not needed: liblldpctl is lldpd's own client"),
        Entry("enrichNic", ["ENRICH_NIC"], "enrichNic", "on by default in xtcp"),
        Entry("uplinkCount", ["UPLINK_COUNT"], "uplinkCount"),
        Entry("uplinkInterfaces", ["UPLINK_INTERFACES"], "uplinkInterfaces"),
        Entry("enrichLocality", ["ENRICH_LOCALITY"]),
        Entry("localityRefreshInterval", ["LOCALITY_REFRESH_INTERVAL"]),
        Entry("enrichAsn", ["ENRICH_ASN"]),
        Entry("asnDbPath", ["ASN_DB_PATH"]),
        Entry("asnRefreshInterval", ["ASN_REFRESH_INTERVAL"]),
        Entry("ipmetaBootstrapPath", ["IPMETA_BOOTSTRAP_PATH"]),
        Entry("ipmetaCachePath", ["IPMETA_CACHE_PATH"]),
        Entry("pyroscopeUrl", ["PYROSCOPE_URL"]),
        Entry("pyroscopeAppName", ["PYROSCOPE_APP_NAME"]),
        Entry("pyroscopeSampleHz", []),
        Entry("pyroscopeUploadSec", []),
        Entry("s3Endpoint", ["S3_ENDPOINT"], "s3Endpoint", "with -dest s3: (xtcp2: s3parquet:)"),
        Entry("s3Bucket", ["S3_BUCKET"], "s3Bucket"),
        Entry("s3Prefix", [], "s3Prefix"),
        Entry("s3Region", [], "s3Region"),
        Entry("s3AccessKey", ["S3_ACCESS_KEY", "S3_ACCESS_KEY_FILE"], "s3AccessKey", "the ID only, not a file"),
        Entry("s3SecretKey", ["S3_SECRET_KEY", "S3_SECRET_KEY_FILE"], "s3SecretKeyFile", "a file only (0600), never the key on the command line"),
        Entry("s3SkipBucketProbe", ["S3_SKIP_BUCKET_PROBE"], "s3SkipBucketProbe"),
        Entry("s3ParquetFlushBytes", [], "s3FlushBytes", "for every object format, not only Parquet"),
        Entry("s3FlushInterval", [], "s3FlushInterval"),
        Entry("s3FlushJitterPct", [], "s3FlushJitterPct"),
        Entry("s3FlushThresholdJitterPct", [], "s3FlushThresholdJitterPct"),
        Entry("s3UploadMaxAttempts", [], "s3UploadMaxAttempts"),
        Entry("s3UploadBackoffCap", [], "s3UploadBackoffCap"),
    ]

    /// The entry of each variable xtcp2 reads (xtcp2's own, so not
    /// GOMAXPROCS), and the one of `XTCP_HOSTNAME`, which xtcp reads too.
    public static let byVariable: [String: Entry] = {
        var out: [String: Entry] = [:]
        for entry in entries {
            for variable in entry.variables { out[variable] = entry }
        }
        return out
    }()
}

extension XTCP2Names {
    public static let documentPath = "README.md"
    public static let begin = "<!-- xtcp2-names:begin (generated by xtcp-codegen from XTCP2Names; do not edit) -->"
    public static let end = "<!-- xtcp2-names:end -->"

    /// The README's table: xtcp2's flag and variables, xtcp's flag and
    /// variable, how they differ.
    public static var markdownTable: String {
        var lines = ["| xtcp2 flag | xtcp2 variables | xtcp flag | xtcp variable | note |", "|---|---|---|---|---|"]
        for entry in entries {
            let ours = entry.ours.flatMap { FlagTable.named($0) }
            let variables = entry.variables.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| `-\(entry.flag)` | \(variables) | \(ours.map { "`-\($0.name)`" } ?? "none") | "
                + "\(ours.map { $0.fromEnvironment ? "`\($0.environmentName)`" : "" } ?? "") | \(entry.note) |")
        }
        return lines.joined(separator: "\n")
    }

    /// `markdown` with the table between its markers; nil without them.
    public static func embed(in markdown: String) -> String? {
        guard let start = markdown.firstRange(of: begin), let stop = markdown[start.upperBound...].firstRange(of: end) else { return nil }
        return String(markdown[..<start.upperBound]) + "\n" + markdownTable + "\n" + String(markdown[stop.lowerBound...])
    }
}
