import Foundation
import RecordFmt

/// Reading what `-marshal protobufList` writes: `uvarint(len) + Envelope`,
/// one after another.
public enum ProtobufList {
    /// The envelopes of a stream; nil when the framing is broken.
    public static func envelopes(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        let (whole, leftover) = wholeEnvelopes(bytes)
        return leftover == 0 ? whole : nil
    }

    /// The whole envelopes a stream begins with, and how many bytes follow
    /// the last of them (a stream cut off in the middle of one).
    public static func wholeEnvelopes(_ bytes: [UInt8]) -> (envelopes: [ArraySlice<UInt8>], leftover: Int) {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while i < bytes.count {
            let start = i
            var length = 0
            var shift = 0
            while true {
                guard i < bytes.count, shift < 35 else { return (out, bytes.count - start) }
                let b = bytes[i]
                i += 1
                length |= Int(b & 0x7f) << shift
                shift += 7
                if b < 0x80 { break }
            }
            guard i + length <= bytes.count else { return (out, bytes.count - start) }
            out.append(bytes[i..<(i + length)])
            i += length
        }
        return (out, 0)
    }

    /// Each whole envelope of the stream in the file at `path`, decoded
    /// (an envelope that does not decode: empty), and the bytes after the
    /// last whole one; none when there is no file.
    public static func decodedEnvelopes(inFile path: String) throws -> (envelopes: [[FlatRecord]], leftover: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0) }
        let (whole, leftover) = wholeEnvelopes([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        return (whole.map { envelope in envelope.withUnsafeBytes { ProtobufCReference.unpackEnvelope($0) } ?? [] }, leftover)
    }

    /// Every record of the stream in the file at `path` (xtcp's `-dest
    /// file:` output); nil when anything does not decode.
    public static func records(inFile path: String) throws -> [FlatRecord]? {
        records(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Every record of a stream, decoded by protobuf-c; nil when anything
    /// does not decode.
    public static func records(_ bytes: [UInt8]) -> [FlatRecord]? {
        guard let envelopes = envelopes(bytes) else { return nil }
        var records: [FlatRecord] = []
        for envelope in envelopes {
            guard let rows = envelope.withUnsafeBytes({ ProtobufCReference.unpackEnvelope($0) }) else { return nil }
            records += rows
        }
        return records
    }
}
