import CXTCPRecord
import RecordFmt

/// protobuf-c's packer, the reference the fast encoder must match byte for byte.
public enum ProtobufCReference {
    public static func pack(_ record: FlatRecord) -> [UInt8] {
        record.withCRecord { c in
            let size = xtcp_flat_record__v1__xtcp_flat_record__get_packed_size(c)
            var out = [UInt8](repeating: 0, count: size)
            let written = out.withUnsafeMutableBufferPointer { xtcp_flat_record__v1__xtcp_flat_record__pack(c, $0.baseAddress) }
            precondition(written == size)
            return out
        }
    }

    /// An Envelope of `records` packed by protobuf-c.
    public static func packEnvelope(_ records: [FlatRecord]) -> [UInt8] {
        packEnvelope(records[...], built: [])
    }

    // Builds the C records one by one, recursively, so each stays alive
    // (inside its withCRecord) until the envelope is packed.
    static func packEnvelope(_ rest: ArraySlice<FlatRecord>, built: [UnsafeMutablePointer<CFlatRecord>]) -> [UInt8] {
        guard let first = rest.first else {
            var envelope = XtcpFlatRecord__V1__Envelope()
            xtcp_flat_record__v1__envelope__init(&envelope)
            var rows: [UnsafeMutablePointer<CFlatRecord>?] = built
            return rows.withUnsafeMutableBufferPointer { rowPointers in
                envelope.n_row = built.count
                envelope.row = rowPointers.baseAddress
                let size = xtcp_flat_record__v1__envelope__get_packed_size(&envelope)
                var out = [UInt8](repeating: 0, count: size)
                _ = out.withUnsafeMutableBufferPointer { xtcp_flat_record__v1__envelope__pack(&envelope, $0.baseAddress) }
                return out
            }
        }
        return first.withCRecord { c in packEnvelope(rest.dropFirst(), built: built + [c]) }
    }

    /// Records unpacked by protobuf-c from an envelope's bytes; nil if it
    /// does not parse.
    public static func unpackEnvelope(_ bytes: UnsafeRawBufferPointer) -> [FlatRecord]? {
        guard let envelope = xtcp_flat_record__v1__envelope__unpack(nil, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)) else {
            return nil
        }
        defer { xtcp_flat_record__v1__envelope__free_unpacked(envelope, nil) }
        return (0..<envelope.pointee.n_row).map { FlatRecord(c: envelope.pointee.row[$0]!.pointee) }
    }
}
