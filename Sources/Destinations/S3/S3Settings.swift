import RecordFmt

/// What an `s3:` destination is opened with (the `-s3*` flags, named as
/// xtcp2 names them where it has them).
public struct S3Settings: Sendable, Equatable {
    /// `-s3Endpoint`: the service's base URL; objects are addressed
    /// path-style, `ENDPOINT/BUCKET/KEY` (what on-premises servers need).
    public var endpoint = "https://s3.amazonaws.com"
    public var bucket = ""
    /// `-s3Prefix`: the keys' first part (no slash at either end).
    public var prefix = "xtcp"
    public var region = "us-east-1"
    public var accessKey = ""
    /// From `-s3SecretKeyFile`; never shown (`-conf` prints the file's path).
    public var secretKey = ""
    public var skipBucketProbe = false
    /// `-s3FlushBytes`: an object is uploaded once it holds this much…
    public var flushBytes = 16 << 20
    /// …or once it is this old, whichever comes first.
    public var flushInterval: Duration = .seconds(60)
    /// ± this share of the interval and of the size, drawn per object, so
    /// a fleet started together does not upload together.
    public var flushJitterPercent = 10
    public var flushThresholdJitterPercent = 10
    /// Tries per object (the first included) before it is dropped.
    public var uploadMaxAttempts = 5
    /// Retries wait 0.5 s doubling up to this, each drawn from [0, wait]
    /// (full jitter, AWS's recommendation for many clients).
    public var uploadBackoffCap: Duration = .seconds(30)
    /// `-s3QueueObjects`: objects sealed and waiting for their upload; one
    /// more is dropped (`queue full`). With the object being filled this
    /// bounds the memory to (this + 1) × flushBytes and a batch.
    public var queueObjects = 4
    /// `-s3Compression`: a protobufList (or text) object compressed whole,
    /// Parquet's pages compressed one by one.
    public var compression: ParquetSchema.Codec = .zstd
    /// Records' format: an object's layout and its key's extension.
    public var format: MarshalFormat = .protobufList
    /// The `host=` part of the keys.
    public var hostname = ""
    public init() {}
}
