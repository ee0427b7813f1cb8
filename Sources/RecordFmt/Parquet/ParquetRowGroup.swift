/// What a Parquet batch says about itself: the marshaller's batch is one
/// row group's column chunks (each a page header and its page) followed by
/// this trailer, so that whoever assembles a file (an S3 object of many
/// batches) can write the footer without decoding a page:
///
///     per column: u32 chunk bytes, u32 chunk bytes uncompressed
///     u32 rows, u32 columns, "XRG1"        (all little-endian)
public struct ParquetRowGroup: Sendable, Equatable {
    public var rows: Int
    /// Each column chunk's size as written, and as it would be uncompressed
    /// (both with its page header), in schema order.
    public var chunkBytes: [UInt32]
    public var uncompressedBytes: [UInt32]
    public var codec: ParquetSchema.Codec

    static let trailerMagic: [UInt8] = Array("XRG1".utf8)

    /// The column chunks' bytes, without the trailer.
    public var dataBytes: Int { chunkBytes.reduce(0) { $0 + Int($1) } }

    public static func trailerBytes(columns: Int) -> Int { 8 * columns + 12 }

    func writeTrailer(to out: inout [UInt8]) {
        for i in chunkBytes.indices {
            out.appendLittleEndian(chunkBytes[i])
            out.appendLittleEndian(uncompressedBytes[i])
        }
        out.appendLittleEndian(UInt32(rows))
        out.appendLittleEndian(UInt32(chunkBytes.count))
        out.append(contentsOf: Self.trailerMagic)
    }

    /// Reads the trailer at the end of `batch`; nil when it is not a
    /// Parquet batch of this schema.
    public init?(batch: UnsafeRawBufferPointer, codec: ParquetSchema.Codec) {
        let columns = ParquetSchema.columns.count
        let trailer = Self.trailerBytes(columns: columns)
        guard batch.count >= trailer, Array(batch[(batch.count - 4)...]) == Self.trailerMagic else { return nil }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: batch.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        let start = batch.count - trailer
        guard Int(u32(batch.count - 8)) == columns else { return nil }
        rows = Int(u32(batch.count - 12))
        chunkBytes = (0..<columns).map { u32(start + 8 * $0) }
        uncompressedBytes = (0..<columns).map { u32(start + 8 * $0 + 4) }
        self.codec = codec
        guard dataBytes == start else { return nil }
    }

    init(rows: Int, chunkBytes: [UInt32], uncompressedBytes: [UInt32], codec: ParquetSchema.Codec) {
        self.rows = rows
        self.chunkBytes = chunkBytes
        self.uncompressedBytes = uncompressedBytes
        self.codec = codec
    }
}

/// A Parquet file's end: the FileMetaData of its row groups (each at the
/// offset it was written at), its length and the magic.
public enum ParquetFooter {
    public static func bytes(rowGroups: [(offset: Int, group: ParquetRowGroup)], createdBy: String) -> [UInt8] {
        let columns = ParquetSchema.columns
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.i32(1, 1)  // version
            w.listHeader(2, count: columns.count + 1, of: .structure)
            w.structBody { w in  // the root: a group of every column
                w.string(4, "schema")
                w.i32(5, Int32(columns.count))
            }
            for column in columns {
                w.structBody { w in
                    w.i32(1, column.type.rawValue)
                    w.i32(3, 0)  // REQUIRED
                    w.string(4, column.name)
                    if let converted = column.converted { w.i32(6, converted.rawValue) }
                }
            }
            w.i64(3, Int64(rowGroups.reduce(0) { $0 + $1.group.rows }))
            w.list(4, structs: rowGroups) { w, entry in
                let group = entry.group
                var offset = Int64(entry.offset)
                w.list(1, structs: columns.indices) { w, index in
                    w.i64(2, offset)  // file_offset: where the chunk starts
                    w.structure(3) { w in  // ColumnMetaData
                        w.i32(1, columns[index].type.rawValue)
                        w.list(2, i32s: [0])  // PLAIN
                        w.list(3, strings: [columns[index].name])
                        w.i32(4, group.codec.rawValue)
                        w.i64(5, Int64(group.rows))
                        w.i64(6, Int64(group.uncompressedBytes[index]))
                        w.i64(7, Int64(group.chunkBytes[index]))
                        w.i64(9, offset)  // data_page_offset: the chunk is its one page
                    }
                    offset += Int64(group.chunkBytes[index])
                }
                w.i64(2, Int64(group.uncompressedBytes.reduce(0) { $0 + Int($1) }))
                w.i64(3, Int64(group.rows))
                w.i64(5, Int64(entry.offset))
                w.i64(6, Int64(group.dataBytes))
            }
            w.string(6, createdBy)
        }
        var out = w.bytes
        out.appendLittleEndian(UInt32(w.bytes.count))
        out.append(contentsOf: ParquetSchema.magic)
        return out
    }
}

extension [UInt8] {
    /// A protobuf (and Thrift compact) unsigned varint.
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }

    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
