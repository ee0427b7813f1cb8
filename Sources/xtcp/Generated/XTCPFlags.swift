// Generated from XTCP's FlagTable by `swift run xtcp-codegen`: do not edit.
import ArgumentParser
import XTCP

/// xtcp's flags, as ArgumentParser reads them: each as text (the
/// library validates it, naming the flag or the variable), taken
/// with one dash or two.
struct XTCPFlags: ParsableArguments {
    @Option(name: [.customLong("replay", withSingleDash: true), .customLong("replay")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("replay")!.helpWithDefault, valueName: "replay"))
    var replay: String?

    @Option(name: [.customLong("capture", withSingleDash: true), .customLong("capture")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("capture")!.helpWithDefault, valueName: "capture"))
    var capture: String?

    @Flag(name: [.customLong("conf", withSingleDash: true), .customLong("conf")], help: ArgumentHelp(FlagTable.named("conf")!.helpWithDefault))
    var conf = false

    @Flag(name: [.customLong("healthcheck", withSingleDash: true), .customLong("healthcheck")], help: ArgumentHelp(FlagTable.named("healthcheck")!.helpWithDefault))
    var healthcheck = false

    @Flag(name: [.customShort("v"), .customLong("version", withSingleDash: true), .customLong("version")], help: ArgumentHelp(FlagTable.named("version")!.helpWithDefault))
    var version = false

    @Option(name: [.customLong("frequency", withSingleDash: true), .customLong("frequency")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("frequency")!.helpWithDefault, valueName: "frequency"))
    var frequency: String?

    @Option(name: [.customLong("timeout", withSingleDash: true), .customLong("timeout")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("timeout")!.helpWithDefault, valueName: "timeout"))
    var timeout: String?

    @Option(name: [.customLong("pollJitterPct", withSingleDash: true), .customLong("pollJitterPct")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("pollJitterPct")!.helpWithDefault, valueName: "pollJitterPct"))
    var pollJitterPct: String?

    @Option(name: [.customLong("maxLoops", withSingleDash: true), .customLong("maxLoops")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("maxLoops")!.helpWithDefault, valueName: "maxLoops"))
    var maxLoops: String?

    @Option(name: [.customLong("netlinkers", withSingleDash: true), .customLong("netlinkers")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("netlinkers")!.helpWithDefault, valueName: "netlinkers"))
    var netlinkers: String?

    @Option(name: [.customLong("cpus", withSingleDash: true), .customLong("cpus")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("cpus")!.helpWithDefault, valueName: "cpus"))
    var cpus: String?

    @Option(name: [.customLong("nltimeout", withSingleDash: true), .customLong("nltimeout")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("nltimeout")!.helpWithDefault, valueName: "nltimeout"))
    var nltimeout: String?

    @Option(name: [.customLong("namespaces", withSingleDash: true), .customLong("namespaces")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("namespaces")!.helpWithDefault, valueName: "namespaces"))
    var namespaces: String?

    @Option(name: [.customLong("netnsDirs", withSingleDash: true), .customLong("netnsDirs")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("netnsDirs")!.helpWithDefault, valueName: "netnsDirs"))
    var netnsDirs: String?

    @Option(name: [.customLong("reconcileFrequency", withSingleDash: true), .customLong("reconcileFrequency")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("reconcileFrequency")!.helpWithDefault, valueName: "reconcileFrequency"))
    var reconcileFrequency: String?

    @Option(name: [.customLong("maxNamespaces", withSingleDash: true), .customLong("maxNamespaces")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("maxNamespaces")!.helpWithDefault, valueName: "maxNamespaces"))
    var maxNamespaces: String?

    @Option(name: [.customLong("packetSize", withSingleDash: true), .customLong("packetSize")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("packetSize")!.helpWithDefault, valueName: "packetSize"))
    var packetSize: String?

    @Flag(name: [.customLong("ioUring", withSingleDash: true), .customLong("ioUring")], help: ArgumentHelp(FlagTable.named("ioUring")!.helpWithDefault))
    var ioUring = false

    @Option(name: [.customLong("ioUringRecvBatch", withSingleDash: true), .customLong("ioUringRecvBatch")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("ioUringRecvBatch")!.helpWithDefault, valueName: "ioUringRecvBatch"))
    var ioUringRecvBatch: String?

    @Option(name: [.customLong("ioUringCqeBatch", withSingleDash: true), .customLong("ioUringCqeBatch")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("ioUringCqeBatch")!.helpWithDefault, valueName: "ioUringCqeBatch"))
    var ioUringCqeBatch: String?

    @Option(name: [.customLong("ioUringMultishot", withSingleDash: true), .customLong("ioUringMultishot")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("ioUringMultishot")!.helpWithDefault, valueName: "ioUringMultishot"))
    var ioUringMultishot: String?

    @Option(name: [.customLong("ioUringFallback", withSingleDash: true), .customLong("ioUringFallback")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("ioUringFallback")!.helpWithDefault, valueName: "ioUringFallback"))
    var ioUringFallback: String?

    @Option(name: [.customLong("deserializers", withSingleDash: true), .customLong("deserializers")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("deserializers")!.helpWithDefault, valueName: "deserializers"))
    var deserializers: String?

    @Option(name: [.customLong("replayKernel", withSingleDash: true), .customLong("replayKernel")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("replayKernel")!.helpWithDefault, valueName: "replayKernel"))
    var replayKernel: String?

    @Option(name: [.customLong("filter", withSingleDash: true), .customLong("filter")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("filter")!.helpWithDefault, valueName: "filter"))
    var filter: String?

    @Option(name: [.customLong("states", withSingleDash: true), .customLong("states")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("states")!.helpWithDefault, valueName: "states"))
    var states: String?

    @Flag(name: [.customLong("changesOnly", withSingleDash: true), .customLong("changesOnly")], help: ArgumentHelp(FlagTable.named("changesOnly")!.helpWithDefault))
    var changesOnly = false

    @Option(name: [.customLong("fullEvery", withSingleDash: true), .customLong("fullEvery")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("fullEvery")!.helpWithDefault, valueName: "fullEvery"))
    var fullEvery: String?

    @Option(name: [.customLong("changesRttPct", withSingleDash: true), .customLong("changesRttPct")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("changesRttPct")!.helpWithDefault, valueName: "changesRttPct"))
    var changesRttPct: String?

    @Flag(name: [.customLong("closeEvents", withSingleDash: true), .customLong("closeEvents")], help: ArgumentHelp(FlagTable.named("closeEvents")!.helpWithDefault))
    var closeEvents = false

    @Option(name: [.customLong("closeEventsBuffer", withSingleDash: true), .customLong("closeEventsBuffer")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("closeEventsBuffer")!.helpWithDefault, valueName: "closeEventsBuffer"))
    var closeEventsBuffer: String?

    @Option(name: [.customLong("dest", withSingleDash: true), .customLong("dest")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("dest")!.helpWithDefault, valueName: "dest"))
    var dest: String?

    @Option(name: [.customLong("marshal", withSingleDash: true), .customLong("marshal")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("marshal")!.helpWithDefault, valueName: "marshal"))
    var marshal: String?

    @Option(name: [.customLong("columns", withSingleDash: true), .customLong("columns")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("columns")!.helpWithDefault, valueName: "columns"))
    var columns: String?

    @Option(name: [.customLong("envelopeFlushRows", withSingleDash: true), .customLong("envelopeFlushRows")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("envelopeFlushRows")!.helpWithDefault, valueName: "envelopeFlushRows"))
    var envelopeFlushRows: String?

    @Option(name: [.customLong("envelopeFlushBytes", withSingleDash: true), .customLong("envelopeFlushBytes")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("envelopeFlushBytes")!.helpWithDefault, valueName: "envelopeFlushBytes"))
    var envelopeFlushBytes: String?

    @Option(name: [.customLong("topic", withSingleDash: true), .customLong("topic")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("topic")!.helpWithDefault, valueName: "topic"))
    var topic: String?

    @Option(name: [.customLong("kafkaCompression", withSingleDash: true), .customLong("kafkaCompression")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaCompression")!.helpWithDefault, valueName: "kafkaCompression"))
    var kafkaCompression: String?

    @Option(name: [.customLong("kafkaQueueKBytes", withSingleDash: true), .customLong("kafkaQueueKBytes")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaQueueKBytes")!.helpWithDefault, valueName: "kafkaQueueKBytes"))
    var kafkaQueueKBytes: String?

    @Option(name: [.customLong("kafkaMessageTimeout", withSingleDash: true), .customLong("kafkaMessageTimeout")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaMessageTimeout")!.helpWithDefault, valueName: "kafkaMessageTimeout"))
    var kafkaMessageTimeout: String?

    @Option(name: [.customLong("kafkaQueueFullWait", withSingleDash: true), .customLong("kafkaQueueFullWait")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaQueueFullWait")!.helpWithDefault, valueName: "kafkaQueueFullWait"))
    var kafkaQueueFullWait: String?

    @Option(name: [.customLong("kafkaFlushTimeout", withSingleDash: true), .customLong("kafkaFlushTimeout")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaFlushTimeout")!.helpWithDefault, valueName: "kafkaFlushTimeout"))
    var kafkaFlushTimeout: String?

    @Option(name: [.customLong("kafkaStartTimeout", withSingleDash: true), .customLong("kafkaStartTimeout")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaStartTimeout")!.helpWithDefault, valueName: "kafkaStartTimeout"))
    var kafkaStartTimeout: String?

    @Option(name: [.customLong("kafkaPropertyFile", withSingleDash: true), .customLong("kafkaPropertyFile")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("kafkaPropertyFile")!.helpWithDefault, valueName: "kafkaPropertyFile"))
    var kafkaPropertyFile: String?

    @Option(name: [.customLong("kafkaProperty", withSingleDash: true), .customLong("kafkaProperty")], parsing: .unconditionalSingleValue, help: ArgumentHelp(FlagTable.named("kafkaProperty")!.helpWithDefault, valueName: "kafkaProperty"))
    var kafkaProperty: [String] = []

    @Flag(name: [.customLong("valkeyStream", withSingleDash: true), .customLong("valkeyStream")], help: ArgumentHelp(FlagTable.named("valkeyStream")!.helpWithDefault))
    var valkeyStream = false

    @Option(name: [.customLong("valkeyStreamMaxLen", withSingleDash: true), .customLong("valkeyStreamMaxLen")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("valkeyStreamMaxLen")!.helpWithDefault, valueName: "valkeyStreamMaxLen"))
    var valkeyStreamMaxLen: String?

    @Flag(name: [.customLong("natsJetStream", withSingleDash: true), .customLong("natsJetStream")], help: ArgumentHelp(FlagTable.named("natsJetStream")!.helpWithDefault))
    var natsJetStream = false

    @Option(name: [.customLong("httpCAFile", withSingleDash: true), .customLong("httpCAFile")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("httpCAFile")!.helpWithDefault, valueName: "httpCAFile"))
    var httpCAFile: String?

    @Option(name: [.customLong("s3Endpoint", withSingleDash: true), .customLong("s3Endpoint")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3Endpoint")!.helpWithDefault, valueName: "s3Endpoint"))
    var s3Endpoint: String?

    @Option(name: [.customLong("s3Bucket", withSingleDash: true), .customLong("s3Bucket")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3Bucket")!.helpWithDefault, valueName: "s3Bucket"))
    var s3Bucket: String?

    @Option(name: [.customLong("s3Prefix", withSingleDash: true), .customLong("s3Prefix")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3Prefix")!.helpWithDefault, valueName: "s3Prefix"))
    var s3Prefix: String?

    @Option(name: [.customLong("s3Region", withSingleDash: true), .customLong("s3Region")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3Region")!.helpWithDefault, valueName: "s3Region"))
    var s3Region: String?

    @Option(name: [.customLong("s3AccessKey", withSingleDash: true), .customLong("s3AccessKey")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3AccessKey")!.helpWithDefault, valueName: "s3AccessKey"))
    var s3AccessKey: String?

    @Option(name: [.customLong("s3SecretKeyFile", withSingleDash: true), .customLong("s3SecretKeyFile")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3SecretKeyFile")!.helpWithDefault, valueName: "s3SecretKeyFile"))
    var s3SecretKeyFile: String?

    @Flag(name: [.customLong("s3SkipBucketProbe", withSingleDash: true), .customLong("s3SkipBucketProbe")], help: ArgumentHelp(FlagTable.named("s3SkipBucketProbe")!.helpWithDefault))
    var s3SkipBucketProbe = false

    @Option(name: [.customLong("s3FlushBytes", withSingleDash: true), .customLong("s3FlushBytes")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3FlushBytes")!.helpWithDefault, valueName: "s3FlushBytes"))
    var s3FlushBytes: String?

    @Option(name: [.customLong("s3FlushInterval", withSingleDash: true), .customLong("s3FlushInterval")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3FlushInterval")!.helpWithDefault, valueName: "s3FlushInterval"))
    var s3FlushInterval: String?

    @Option(name: [.customLong("s3FlushJitterPct", withSingleDash: true), .customLong("s3FlushJitterPct")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3FlushJitterPct")!.helpWithDefault, valueName: "s3FlushJitterPct"))
    var s3FlushJitterPct: String?

    @Option(name: [.customLong("s3FlushThresholdJitterPct", withSingleDash: true), .customLong("s3FlushThresholdJitterPct")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3FlushThresholdJitterPct")!.helpWithDefault, valueName: "s3FlushThresholdJitterPct"))
    var s3FlushThresholdJitterPct: String?

    @Option(name: [.customLong("s3UploadMaxAttempts", withSingleDash: true), .customLong("s3UploadMaxAttempts")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3UploadMaxAttempts")!.helpWithDefault, valueName: "s3UploadMaxAttempts"))
    var s3UploadMaxAttempts: String?

    @Option(name: [.customLong("s3UploadBackoffCap", withSingleDash: true), .customLong("s3UploadBackoffCap")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3UploadBackoffCap")!.helpWithDefault, valueName: "s3UploadBackoffCap"))
    var s3UploadBackoffCap: String?

    @Option(name: [.customLong("s3QueueObjects", withSingleDash: true), .customLong("s3QueueObjects")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3QueueObjects")!.helpWithDefault, valueName: "s3QueueObjects"))
    var s3QueueObjects: String?

    @Option(name: [.customLong("s3Compression", withSingleDash: true), .customLong("s3Compression")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("s3Compression")!.helpWithDefault, valueName: "s3Compression"))
    var s3Compression: String?

    @Option(name: [.customLong("hostname", withSingleDash: true), .customLong("hostname")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("hostname")!.helpWithDefault, valueName: "hostname"))
    var hostname: String?

    @Option(name: [.customLong("location", withSingleDash: true), .customLong("location")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("location")!.helpWithDefault, valueName: "location"))
    var location: String?

    @Option(name: [.customLong("label", withSingleDash: true), .customLong("label")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("label")!.helpWithDefault, valueName: "label"))
    var label: String?

    @Option(name: [.customLong("tag", withSingleDash: true), .customLong("tag")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("tag")!.helpWithDefault, valueName: "tag"))
    var tag: String?

    @Option(name: [.customLong("resolveContainerId", withSingleDash: true), .customLong("resolveContainerId")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("resolveContainerId")!.helpWithDefault, valueName: "resolveContainerId"))
    var resolveContainerId: String?

    @Option(name: [.customLong("enrichNic", withSingleDash: true), .customLong("enrichNic")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("enrichNic")!.helpWithDefault, valueName: "enrichNic"))
    var enrichNic: String?

    @Option(name: [.customLong("uplinkInterfaces", withSingleDash: true), .customLong("uplinkInterfaces")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("uplinkInterfaces")!.helpWithDefault, valueName: "uplinkInterfaces"))
    var uplinkInterfaces: String?

    @Option(name: [.customLong("uplinkCount", withSingleDash: true), .customLong("uplinkCount")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("uplinkCount")!.helpWithDefault, valueName: "uplinkCount"))
    var uplinkCount: String?

    @Option(name: [.customLong("enrichLldp", withSingleDash: true), .customLong("enrichLldp")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("enrichLldp")!.helpWithDefault, valueName: "enrichLldp"))
    var enrichLldp: String?

    @Option(name: [.customLong("lldpdSocket", withSingleDash: true), .customLong("lldpdSocket")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("lldpdSocket")!.helpWithDefault, valueName: "lldpdSocket"))
    var lldpdSocket: String?

    @Option(name: [.customLong("enrichContainer", withSingleDash: true), .customLong("enrichContainer")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("enrichContainer")!.helpWithDefault, valueName: "enrichContainer"))
    var enrichContainer: String?

    @Option(name: [.customLong("dockerSocket", withSingleDash: true), .customLong("dockerSocket")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("dockerSocket")!.helpWithDefault, valueName: "dockerSocket"))
    var dockerSocket: String?

    @Option(name: [.customLong("promListen", withSingleDash: true), .customLong("promListen")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("promListen")!.helpWithDefault, valueName: "promListen"))
    var promListen: String?

    @Option(name: [.customLong("promPath", withSingleDash: true), .customLong("promPath")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("promPath")!.helpWithDefault, valueName: "promPath"))
    var promPath: String?

    @Option(name: [.customLong("logLevel", withSingleDash: true), .customLong("logLevel")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("logLevel")!.helpWithDefault, valueName: "logLevel"))
    var logLevel: String?

    @Option(name: [.customLong("logFormat", withSingleDash: true), .customLong("logFormat")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("logFormat")!.helpWithDefault, valueName: "logFormat"))
    var logFormat: String?

    @Flag(name: [.customShort("d")], help: ArgumentHelp(FlagTable.named("d")!.helpWithDefault))
    var d = false

    @Option(name: [.customLong("profile.mode", withSingleDash: true), .customLong("profile.mode")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("profile.mode")!.helpWithDefault, valueName: "profile.mode"))
    var profileMode: String?

    @Option(name: [.customLong("profile.path", withSingleDash: true), .customLong("profile.path")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("profile.path")!.helpWithDefault, valueName: "profile.path"))
    var profilePath: String?

    @Option(name: [.customLong("grpcListen", withSingleDash: true), .customLong("grpcListen")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcListen")!.helpWithDefault, valueName: "grpcListen"))
    var grpcListen: String?

    @Option(name: [.customLong("grpcPort", withSingleDash: true), .customLong("grpcPort")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcPort")!.helpWithDefault, valueName: "grpcPort"))
    var grpcPort: String?

    @Option(name: [.customLong("grpcTLSCert", withSingleDash: true), .customLong("grpcTLSCert")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcTLSCert")!.helpWithDefault, valueName: "grpcTLSCert"))
    var grpcTLSCert: String?

    @Option(name: [.customLong("grpcTLSKey", withSingleDash: true), .customLong("grpcTLSKey")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcTLSKey")!.helpWithDefault, valueName: "grpcTLSKey"))
    var grpcTLSKey: String?

    @Option(name: [.customLong("grpcToken", withSingleDash: true), .customLong("grpcToken")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcToken")!.helpWithDefault, valueName: "grpcToken"))
    var grpcToken: String?

    @Option(name: [.customLong("grpcTokenFile", withSingleDash: true), .customLong("grpcTokenFile")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcTokenFile")!.helpWithDefault, valueName: "grpcTokenFile"))
    var grpcTokenFile: String?

    @Option(name: [.customLong("grpcStreamQueueBytes", withSingleDash: true), .customLong("grpcStreamQueueBytes")], parsing: .unconditional, help: ArgumentHelp(FlagTable.named("grpcStreamQueueBytes")!.helpWithDefault, valueName: "grpcStreamQueueBytes"))
    var grpcStreamQueueBytes: String?

    /// The flags given on the command line, by name, with their values.
    var given: [String: [String]] {
        var given: [String: [String]] = [:]
        if let replay { given["replay"] = [replay] }
        if let capture { given["capture"] = [capture] }
        if conf { given["conf"] = [] }
        if healthcheck { given["healthcheck"] = [] }
        if version { given["version"] = [] }
        if let frequency { given["frequency"] = [frequency] }
        if let timeout { given["timeout"] = [timeout] }
        if let pollJitterPct { given["pollJitterPct"] = [pollJitterPct] }
        if let maxLoops { given["maxLoops"] = [maxLoops] }
        if let netlinkers { given["netlinkers"] = [netlinkers] }
        if let cpus { given["cpus"] = [cpus] }
        if let nltimeout { given["nltimeout"] = [nltimeout] }
        if let namespaces { given["namespaces"] = [namespaces] }
        if let netnsDirs { given["netnsDirs"] = [netnsDirs] }
        if let reconcileFrequency { given["reconcileFrequency"] = [reconcileFrequency] }
        if let maxNamespaces { given["maxNamespaces"] = [maxNamespaces] }
        if let packetSize { given["packetSize"] = [packetSize] }
        if ioUring { given["ioUring"] = [] }
        if let ioUringRecvBatch { given["ioUringRecvBatch"] = [ioUringRecvBatch] }
        if let ioUringCqeBatch { given["ioUringCqeBatch"] = [ioUringCqeBatch] }
        if let ioUringMultishot { given["ioUringMultishot"] = [ioUringMultishot] }
        if let ioUringFallback { given["ioUringFallback"] = [ioUringFallback] }
        if let deserializers { given["deserializers"] = [deserializers] }
        if let replayKernel { given["replayKernel"] = [replayKernel] }
        if let filter { given["filter"] = [filter] }
        if let states { given["states"] = [states] }
        if changesOnly { given["changesOnly"] = [] }
        if let fullEvery { given["fullEvery"] = [fullEvery] }
        if let changesRttPct { given["changesRttPct"] = [changesRttPct] }
        if closeEvents { given["closeEvents"] = [] }
        if let closeEventsBuffer { given["closeEventsBuffer"] = [closeEventsBuffer] }
        if let dest { given["dest"] = [dest] }
        if let marshal { given["marshal"] = [marshal] }
        if let columns { given["columns"] = [columns] }
        if let envelopeFlushRows { given["envelopeFlushRows"] = [envelopeFlushRows] }
        if let envelopeFlushBytes { given["envelopeFlushBytes"] = [envelopeFlushBytes] }
        if let topic { given["topic"] = [topic] }
        if let kafkaCompression { given["kafkaCompression"] = [kafkaCompression] }
        if let kafkaQueueKBytes { given["kafkaQueueKBytes"] = [kafkaQueueKBytes] }
        if let kafkaMessageTimeout { given["kafkaMessageTimeout"] = [kafkaMessageTimeout] }
        if let kafkaQueueFullWait { given["kafkaQueueFullWait"] = [kafkaQueueFullWait] }
        if let kafkaFlushTimeout { given["kafkaFlushTimeout"] = [kafkaFlushTimeout] }
        if let kafkaStartTimeout { given["kafkaStartTimeout"] = [kafkaStartTimeout] }
        if let kafkaPropertyFile { given["kafkaPropertyFile"] = [kafkaPropertyFile] }
        if !kafkaProperty.isEmpty { given["kafkaProperty"] = kafkaProperty }
        if valkeyStream { given["valkeyStream"] = [] }
        if let valkeyStreamMaxLen { given["valkeyStreamMaxLen"] = [valkeyStreamMaxLen] }
        if natsJetStream { given["natsJetStream"] = [] }
        if let httpCAFile { given["httpCAFile"] = [httpCAFile] }
        if let s3Endpoint { given["s3Endpoint"] = [s3Endpoint] }
        if let s3Bucket { given["s3Bucket"] = [s3Bucket] }
        if let s3Prefix { given["s3Prefix"] = [s3Prefix] }
        if let s3Region { given["s3Region"] = [s3Region] }
        if let s3AccessKey { given["s3AccessKey"] = [s3AccessKey] }
        if let s3SecretKeyFile { given["s3SecretKeyFile"] = [s3SecretKeyFile] }
        if s3SkipBucketProbe { given["s3SkipBucketProbe"] = [] }
        if let s3FlushBytes { given["s3FlushBytes"] = [s3FlushBytes] }
        if let s3FlushInterval { given["s3FlushInterval"] = [s3FlushInterval] }
        if let s3FlushJitterPct { given["s3FlushJitterPct"] = [s3FlushJitterPct] }
        if let s3FlushThresholdJitterPct { given["s3FlushThresholdJitterPct"] = [s3FlushThresholdJitterPct] }
        if let s3UploadMaxAttempts { given["s3UploadMaxAttempts"] = [s3UploadMaxAttempts] }
        if let s3UploadBackoffCap { given["s3UploadBackoffCap"] = [s3UploadBackoffCap] }
        if let s3QueueObjects { given["s3QueueObjects"] = [s3QueueObjects] }
        if let s3Compression { given["s3Compression"] = [s3Compression] }
        if let hostname { given["hostname"] = [hostname] }
        if let location { given["location"] = [location] }
        if let label { given["label"] = [label] }
        if let tag { given["tag"] = [tag] }
        if let resolveContainerId { given["resolveContainerId"] = [resolveContainerId] }
        if let enrichNic { given["enrichNic"] = [enrichNic] }
        if let uplinkInterfaces { given["uplinkInterfaces"] = [uplinkInterfaces] }
        if let uplinkCount { given["uplinkCount"] = [uplinkCount] }
        if let enrichLldp { given["enrichLldp"] = [enrichLldp] }
        if let lldpdSocket { given["lldpdSocket"] = [lldpdSocket] }
        if let enrichContainer { given["enrichContainer"] = [enrichContainer] }
        if let dockerSocket { given["dockerSocket"] = [dockerSocket] }
        if let promListen { given["promListen"] = [promListen] }
        if let promPath { given["promPath"] = [promPath] }
        if let logLevel { given["logLevel"] = [logLevel] }
        if let logFormat { given["logFormat"] = [logFormat] }
        if d { given["d"] = [] }
        if let profileMode { given["profile.mode"] = [profileMode] }
        if let profilePath { given["profile.path"] = [profilePath] }
        if let grpcListen { given["grpcListen"] = [grpcListen] }
        if let grpcPort { given["grpcPort"] = [grpcPort] }
        if let grpcTLSCert { given["grpcTLSCert"] = [grpcTLSCert] }
        if let grpcTLSKey { given["grpcTLSKey"] = [grpcTLSKey] }
        if let grpcToken { given["grpcToken"] = [grpcToken] }
        if let grpcTokenFile { given["grpcTokenFile"] = [grpcTokenFile] }
        if let grpcStreamQueueBytes { given["grpcStreamQueueBytes"] = [grpcStreamQueueBytes] }
        return given
    }
}
