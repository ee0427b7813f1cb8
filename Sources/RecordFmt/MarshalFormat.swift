/// How records are written out (`-marshal`).
public enum MarshalFormat: String, CaseIterable, Sendable {
    /// `uvarint(len) + Envelope` per batch: ClickHouse's ProtobufList; the
    /// production format.
    case protobufList
    /// One JSON object per record per line, proto field names, addresses as
    /// text, the congestion enum by name.
    case jsonl
    /// The whole envelope as proto3 canonical JSON, for debugging.
    case protoJson
    /// The whole envelope in protobuf text format, for debugging.
    case protoText
    /// One comma-separated line per record, `-columns`, a header once.
    case csv
    /// As csv, tab-separated.
    case tsv
    /// One MessagePack map per record, proto names as keys.
    case msgpack
    /// A Parquet row group per batch, a column per field: S3 objects only
    /// (a batch is not a file by itself; the destination writes the footer).
    case parquet

    /// `columns`: the fields csv and tsv write (the others write all);
    /// `pageCodec`: how Parquet's pages are compressed.
    public func makeMarshaller(initialCapacity: Int = 1 << 20, columns: RecordColumns = .all,
                               pageCodec: ParquetSchema.Codec = .zstd) -> any Marshaller {
        switch self {
        case .parquet: return ParquetMarshaller(codec: pageCodec)
        case .csv, .tsv: return DelimitedMarshaller(format: self, columns: columns)
        case .msgpack: return MessagePackMarshaller()
        case .protobufList: return ProtobufListMarshaller(initialCapacity: initialCapacity)
        case .jsonl: return JSONLinesMarshaller()
        case .protoJson: return ProtoJSONMarshaller()
        case .protoText: return ProtoTextMarshaller()
        }
    }

    /// The media type an HTTP destination sends it as.
    public var contentType: String {
        switch self {
        case .protobufList: return "application/x-protobuf"
        case .jsonl: return "application/x-ndjson"
        case .protoJson: return "application/json"
        case .protoText: return "text/plain; charset=utf-8"
        case .csv: return "text/csv; charset=utf-8; header=present"
        case .tsv: return "text/tab-separated-values; charset=utf-8"
        case .msgpack: return "application/msgpack"
        case .parquet: return "application/vnd.apache.parquet"
        }
    }

    /// A file's extension for it (S3's object keys).
    public var fileExtension: String {
        switch self {
        case .protobufList: return "pb"
        case .jsonl: return "jsonl"
        case .protoJson: return "json"
        case .protoText: return "txtpb"
        case .csv: return "csv"
        case .tsv: return "tsv"
        case .msgpack: return "msgpack"
        case .parquet: return "parquet"
        }
    }

    /// What a file or a stream of this format begins with, once: csv's and
    /// tsv's header line; nothing for the others.
    public func header(columns: RecordColumns) -> [UInt8] {
        switch self {
        case .csv, .tsv: return DelimitedMarshaller.header(format: self, columns: columns)
        default: return []
        }
    }
}

/// Accumulates records into one batch (an envelope) and hands the batch out
/// as bytes. One per netlinker: not shared across threads.
public protocol Marshaller: AnyObject {
    var format: MarshalFormat { get }
    var rowCount: Int { get }
    /// Bytes the batch will take, exact, kept in O(1) per row.
    var byteCount: Int { get }
    /// The per-poll fields of the rows to come, encoded once (a netlinker
    /// sets them per dump); `append` then copies them instead of encoding
    /// them. Text formats ignore it.
    var pollFields: EncodedPollFields? { get set }
    /// The socket owner's fields of the rows to come (their container and
    /// pod), encoded once per owner; used with `pollFields`.
    var ownerFields: EncodedOwnerFields { get set }
    func append(_ record: borrowing FlatRecord)
    /// The batch as bytes. Do not let the pointer escape `body`.
    func withBatch<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// Empties the batch, keeping its memory.
    func reset()
}

extension Marshaller {
    public var pollFields: EncodedPollFields? {
        get { nil }
        set {}
    }
    public var ownerFields: EncodedOwnerFields {
        get { .none }
        set {}
    }
}

/// A marshaller that can hand its batch's buffer over whole rather than
/// have it copied, and go on in another: the other half of a destination
/// that borrows envelopes (Kafka).
public protocol EnvelopeLending: Marshaller {
    /// The capacity of the buffer the batch is in.
    var bufferCapacity: Int { get }
    /// Hands out the batch with its buffer and goes on, empty, in
    /// `replacement` (`capacity` bytes), which it now owns.
    func detach(replacingWith replacement: UnsafeMutableRawPointer, capacity: Int) -> DetachedEnvelope
}

/// The production marshaller: an `EnvelopeBuilder`.
public final class ProtobufListMarshaller: EnvelopeLending {
    public var builder: EnvelopeBuilder

    public init(initialCapacity: Int = 1 << 20) { builder = EnvelopeBuilder(initialCapacity: initialCapacity) }
    deinit { builder.deallocate() }

    public var format: MarshalFormat { .protobufList }
    public var rowCount: Int { builder.rowCount }
    /// The framed size: the envelope and its length prefix.
    public var byteCount: Int { builder.byteCount + ProtoWriter.varintSize(UInt64(builder.byteCount)) }
    public var pollFields: EncodedPollFields?
    public var ownerFields = EncodedOwnerFields.none
    public func append(_ record: borrowing FlatRecord) {
        if let pollFields {
            builder.append(record, pollFields: pollFields, owner: ownerFields)
        } else {
            builder.append(record)
        }
    }
    public func withBatch<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try builder.withProtobufListFrame(body)
    }
    public func reset() { builder.reset() }
    public var bufferCapacity: Int { builder.bufferCapacity }
    public func detach(replacingWith replacement: UnsafeMutableRawPointer, capacity: Int) -> DetachedEnvelope {
        builder.detach(replacingWith: replacement, capacity: capacity)
    }
}
