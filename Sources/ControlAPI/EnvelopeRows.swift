import RecordFmt

/// The rows of an envelope (`repeated XtcpFlatRecord row = 10`), as the
/// record stream sends them: each framed as the one field of
/// `FlatRecordsResponse` (`xtcp_flat_record = 1`), its bytes as encoded, not
/// decoded and encoded again.
enum EnvelopeRows {
    /// `Envelope.row`'s tag (field 10, length-delimited).
    static let rowTag: UInt64 = 10 << 3 | 2
    /// `FlatRecordsResponse.xtcp_flat_record`'s and
    /// `PollFlatRecordsResponse.xtcp_flat_record`'s tag (field 1).
    static let responseTag: UInt8 = 1 << 3 | 2

    /// Calls `body` with each row of `envelope`, framed as a response;
    /// stops at the first malformed byte (an envelope is made by xtcp, so
    /// that would be a bug, not input).
    static func forEachResponse(in envelope: [UInt8], _ body: ([UInt8]) async throws -> Void) async rethrows {
        var index = 0
        while index < envelope.count {
            guard let tag = varint(envelope, &index), let length = varint(envelope, &index), tag & 7 == 2,
                  length <= UInt64(envelope.count - index) else { return }
            let end = index + Int(length)
            if tag == rowTag {
                var response = [UInt8]()
                response.reserveCapacity(Int(length) + 6)
                response.append(responseTag)
                response.appendVarint(length)
                response += envelope[index..<end]
                try await body(response)
            }
            index = end
        }
    }

    static func varint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
