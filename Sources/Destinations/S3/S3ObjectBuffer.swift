import RecordFmt

/// An object being filled with batches, then sealed, in place, into the
/// bytes that are uploaded, compressed whole with zstd or not: protobufList
/// as one envelope (ClickHouse reads one ProtobufList message per object),
/// the batches' envelopes joined (a protobuf message's repeated field may
/// come in pieces: the rows of each follow the last) under one length; the
/// text formats one batch after another. Parquet: `PAR1`, each batch's row
/// group, and the footer that lists them (its pages are compressed, not
/// the file).
struct S3ObjectBuffer {
    private var bytes: [UInt8] = []
    private(set) var envelopes = 0
    private(set) var rows = 0
    /// Each envelope's rows, for counting them when the object is lost.
    private(set) var envelopeRows: [Int] = []
    let started: ContinuousClock.Instant
    let startedUnixSeconds: Int64
    /// The object's size and age past which it is uploaded, drawn for it.
    private(set) var threshold: Int
    private(set) var interval: Duration
    private let format: MarshalFormat
    private let codec: ParquetSchema.Codec
    private var rowGroups: [(offset: Int, group: ParquetRowGroup)] = []

    /// Room at the start of a protobufList object for its envelope's length
    /// (a uvarint of at most 10 bytes), written there when it is sealed.
    static let lengthRoom = 10

    init(settings: S3Settings, header: [UInt8], now: ContinuousClock.Instant = .now, unixSeconds: Int64) {
        started = now
        startedUnixSeconds = unixSeconds
        format = settings.format
        codec = settings.compression
        threshold = max(1, Int(Double(settings.flushBytes) * Self.jitter(settings.flushThresholdJitterPercent)))
        interval = settings.flushInterval * Self.jitter(settings.flushJitterPercent)
        bytes.reserveCapacity(min(settings.flushBytes + (1 << 20), 64 << 20))
        switch format {
        case .parquet: bytes += ParquetSchema.magic
        case .protobufList: bytes += repeatElement(0, count: Self.lengthRoom)
        default: bytes += header
        }
    }

    /// New sizing for this object too (`SetS3Upload`), drawn as at its start.
    mutating func retune(_ settings: S3Settings) {
        threshold = max(1, Int(Double(settings.flushBytes) * Self.jitter(settings.flushThresholdJitterPercent)))
        interval = settings.flushInterval * Self.jitter(settings.flushJitterPercent)
    }

    static func jitter(_ percent: Int) -> Double {
        let spread = Double(percent) / 100
        return Double.random(in: (1 - spread)...(1 + spread))
    }

    var isEmpty: Bool { envelopes == 0 }
    var isFull: Bool { bytes.count >= threshold }
    func isDue(at now: ContinuousClock.Instant) -> Bool { now - started >= interval }

    /// Appends a batch; a Parquet batch must end in its row group's trailer.
    mutating func append(_ batch: UnsafeRawBufferPointer, rows: Int) throws(DestinationDrop) {
        switch format {
        case .parquet:
            guard let group = ParquetRowGroup(batch: batch, codec: codec) else {
                throw DestinationDrop(reason: .writeError, detail: "s3: a batch that is not a Parquet row group of this schema")
            }
            rowGroups.append((bytes.count, group))
            bytes.append(contentsOf: batch[..<group.dataBytes])
        case .protobufList: bytes.append(contentsOf: EnvelopeBuilder.envelope(inFrame: batch))
        default: bytes.append(contentsOf: batch)
        }
        envelopes += 1
        self.rows += rows
        envelopeRows.append(rows)
    }

    /// Seals the object (Parquet's footer appended, protobufList's length
    /// written in its room) and hands `body` the bytes to upload: the
    /// object's own, or with zstd `compressed`'s (a buffer the caller keeps
    /// between objects). Nothing of the object is copied.
    mutating func seal<R>(compressor: ZstdCompressor, compressed: inout [UInt8], createdBy: String,
                          _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var start = 0
        switch format {
        case .parquet:
            bytes += ParquetFooter.bytes(rowGroups: rowGroups, createdBy: createdBy)
            return try bytes.withUnsafeBytes(body)
        case .protobufList:
            var length: [UInt8] = []
            length.appendVarint(UInt64(bytes.count - Self.lengthRoom))
            start = Self.lengthRoom - length.count
            bytes.replaceSubrange(start..<Self.lengthRoom, with: length)
        default: break
        }
        return try bytes.withUnsafeBytes { whole in
            let object = UnsafeRawBufferPointer(rebasing: whole[start...])
            guard codec == .zstd else { return try body(object) }
            compressed.removeAll(keepingCapacity: true)
            compressor.compress(object, appendingTo: &compressed)
            return try compressed.withUnsafeBytes(body)
        }
    }
}
