import RecordFmt

/// An object being filled with batches, then sealed into the bytes that
/// are uploaded, compressed whole with zstd or not: protobufList as one
/// envelope (ClickHouse reads one ProtobufList message per object), the
/// batches' envelopes joined (a protobuf message's repeated field may come
/// in pieces: the rows of each follow the last) under one length; the text
/// formats one batch after another. Parquet: `PAR1`, each batch's row group,
/// and the footer that lists them (its pages are compressed, not the file).
struct S3ObjectBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var envelopes = 0
    private(set) var rows = 0
    /// Each envelope's rows, for counting them when the object is lost.
    private(set) var envelopeRows: [Int] = []
    let started: ContinuousClock.Instant
    let startedUnixSeconds: Int64
    /// The object's size and age past which it is uploaded, drawn for it.
    let threshold: Int
    let interval: Duration
    private var rowGroups: [(offset: Int, group: ParquetRowGroup)] = []

    init(settings: S3Settings, now: ContinuousClock.Instant = .now, unixSeconds: Int64) {
        started = now
        startedUnixSeconds = unixSeconds
        threshold = max(1, Int(Double(settings.flushBytes) * Self.jitter(settings.flushThresholdJitterPercent)))
        interval = settings.flushInterval * Self.jitter(settings.flushJitterPercent)
        bytes.reserveCapacity(min(settings.flushBytes + (1 << 20), 64 << 20))
        bytes += settings.format == .parquet ? ParquetSchema.magic : settings.header
    }

    static func jitter(_ percent: Int) -> Double {
        let spread = Double(percent) / 100
        return Double.random(in: (1 - spread)...(1 + spread))
    }

    var isEmpty: Bool { envelopes == 0 }
    var isFull: Bool { bytes.count >= threshold }
    func isDue(at now: ContinuousClock.Instant) -> Bool { now - started >= interval }

    /// Appends a batch; a Parquet batch must end in its row group's trailer.
    mutating func append(_ batch: UnsafeRawBufferPointer, rows: Int, format: MarshalFormat, codec: ParquetSchema.Codec) throws(DestinationDrop) {
        if format == .parquet {
            guard let group = ParquetRowGroup(batch: batch, codec: codec) else {
                throw DestinationDrop(reason: .writeError, detail: "s3: a batch that is not a Parquet row group of this schema")
            }
            rowGroups.append((bytes.count, group))
            bytes.append(contentsOf: batch[..<group.dataBytes])
        } else if format == .protobufList {
            bytes.append(contentsOf: batch[Self.lengthPrefixBytes(batch)...])
        } else {
            bytes.append(contentsOf: batch)
        }
        envelopes += 1
        self.rows += rows
        envelopeRows.append(rows)
    }

    /// The object's bytes as uploaded.
    func sealed(format: MarshalFormat, compression: ParquetSchema.Codec, compressor: ZstdCompressor, createdBy: String) -> [UInt8] {
        if format == .parquet { return bytes + ParquetFooter.bytes(rowGroups: rowGroups, createdBy: createdBy) }
        var whole: [UInt8] = []
        if format == .protobufList {
            whole.reserveCapacity(bytes.count + 10)
            whole.appendVarint(UInt64(bytes.count))
            whole += bytes
        } else {
            whole = bytes
        }
        guard compression == .zstd else { return whole }
        var out: [UInt8] = []
        whole.withUnsafeBytes { compressor.compress($0, appendingTo: &out) }
        return out
    }

    /// The bytes of a protobufList batch's uvarint length.
    static func lengthPrefixBytes(_ batch: UnsafeRawBufferPointer) -> Int {
        var index = 0
        while index < batch.count, batch[index] & 0x80 != 0 { index += 1 }
        return min(index + 1, batch.count)
    }

}
