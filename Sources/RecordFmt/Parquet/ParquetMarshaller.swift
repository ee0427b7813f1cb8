/// `-marshal parquet`: a batch is one Parquet row group, column by column,
/// each column chunk one PLAIN data page (zstd-compressed, or not), then
/// the trailer `ParquetRowGroup` reads, from which the file's footer is
/// written by whoever joins batches into a file (the S3 destination; a
/// batch alone is not a file). Columns are required: a flat record has
/// every field. Values are buffered per column as they come (a row is a
/// few appends a field, no allocation past the first batches), then each
/// column is compressed once, when the batch is taken.
public final class ParquetMarshaller: Marshaller {
    public let codec: ParquetSchema.Codec
    public private(set) var rowCount = 0
    /// The PLAIN values of each column of the batch so far.
    private var columns: [[UInt8]]
    private var valueBytes = 0
    /// The batch as handed out, and a page compressed, kept between batches.
    private var batch: [UInt8] = []
    private var page: [UInt8] = []
    private var pageHeader = ThriftCompactWriter()
    private let compressor: ZstdCompressor?

    public init(codec: ParquetSchema.Codec = .zstd) {
        self.codec = codec
        columns = Array(repeating: [], count: ParquetSchema.columns.count)
        compressor = codec == .zstd ? ZstdCompressor() : nil
    }

    public var format: MarshalFormat { .parquet }

    /// The values' bytes plus the trailer: an upper bound on the batch's
    /// size except for the pages' headers (a few bytes a column) and what
    /// zstd saves, which is most of it.
    public var byteCount: Int { valueBytes + ParquetRowGroup.trailerBytes(columns: columns.count) }

    public func append(_ record: borrowing FlatRecord) {
        record.forEachField { index, value in
            switch value {
            case .uint32(let v): columns[index].appendLittleEndian(v); valueBytes += 4
            case .uint64(let v): columns[index].appendLittleEndian(v); valueBytes += 8
            case .int64(let v): columns[index].appendLittleEndian(UInt64(bitPattern: v)); valueBytes += 8
            case .string(let v): appendByteArray(v, to: index)
            case .address(let v): appendByteArray(v.text, to: index)
            case .enumeration(_, let name): appendByteArray(name, to: index)
            }
        }
        rowCount += 1
    }

    /// PLAIN BYTE_ARRAY: a u32 length, then the bytes.
    private func appendByteArray(_ text: String, to index: Int) {
        let count = text.utf8.count
        columns[index].appendLittleEndian(UInt32(count))
        columns[index].append(contentsOf: text.utf8)
        valueBytes += 4 + count
    }

    public func withBatch<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        batch.removeAll(keepingCapacity: true)
        var chunkBytes: [UInt32] = []
        var uncompressedBytes: [UInt32] = []
        chunkBytes.reserveCapacity(columns.count)
        uncompressedBytes.reserveCapacity(columns.count)
        for index in columns.indices {
            let plain = columns[index].count
            let compressed: Int
            if let compressor {
                page.removeAll(keepingCapacity: true)
                columns[index].withUnsafeBytes { compressor.compress($0, appendingTo: &page) }
                compressed = page.count
            } else {
                compressed = plain
            }
            pageHeader.bytes.removeAll(keepingCapacity: true)
            pageHeader.structBody { w in
                w.i32(1, 0)  // DATA_PAGE
                w.i32(2, Int32(plain))
                w.i32(3, Int32(compressed))
                w.structure(5) { w in  // DataPageHeader
                    w.i32(1, Int32(rowCount))
                    w.i32(2, 0)  // PLAIN
                    w.i32(3, 3)  // RLE: no levels are written (required, flat)
                    w.i32(4, 3)
                }
            }
            batch.append(contentsOf: pageHeader.bytes)
            batch.append(contentsOf: compressor == nil ? columns[index] : page)
            chunkBytes.append(UInt32(pageHeader.bytes.count + compressed))
            uncompressedBytes.append(UInt32(pageHeader.bytes.count + plain))
        }
        ParquetRowGroup(rows: rowCount, chunkBytes: chunkBytes, uncompressedBytes: uncompressedBytes, codec: codec).writeTrailer(to: &batch)
        return try batch.withUnsafeBytes(body)
    }

    public func reset() {
        for index in columns.indices { columns[index].removeAll(keepingCapacity: true) }
        rowCount = 0
        valueBytes = 0
    }
}
