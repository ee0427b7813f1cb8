import Platform
import RecordFmt

/// An object's key, Hive-style so that ClickHouse, Spark and Athena prune
/// by host, day and hour: `PREFIX/host=H/date=YYYY-MM-DD/hour=HH/UNIX_RRRRRRRR.EXT`,
/// the time the object was started (UTC) and 8 random hex digits (two
/// objects of one second from one host do not collide).
enum S3ObjectKey {
    static func make(prefix: String, hostname: String, unixSeconds: Int64, format: MarshalFormat,
                     compression: ParquetSchema.Codec, random: UInt32 = .random(in: .min ... .max)) -> String {
        let (year, month, day, hour) = civil(unixSeconds)
        let date = "\(year)-\(twoDigits(month))-\(twoDigits(day))"
        let hex = String(random, radix: 16)
        let name = "\(unixSeconds)_\(String(repeating: "0", count: 8 - hex.count))\(hex).\(fileExtension(format, compression))"
        return (prefix.isEmpty ? "" : prefix + "/") + "host=\(escaped(hostname))/date=\(date)/hour=\(twoDigits(hour))/\(name)"
    }

    static func fileExtension(_ format: MarshalFormat, _ compression: ParquetSchema.Codec) -> String {
        // Parquet's pages are compressed, not the file. ClickHouse's s3()
        // and file() take the compression from ".zst".
        format == .parquet || compression == .none ? format.fileExtension : format.fileExtension + ".zst"
    }

    /// A key part as it may stand in a URL path and a Hive partition:
    /// letters, digits and `-._~` as they are, the rest %XX.
    static func escaped(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The UTC calendar day and hour of a Unix time.
    static func civil(_ unixSeconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let (year, month, day) = HumanisedFields.civilDate(daysSinceEpoch: days)
        return (Int(year), Int(month), Int(day), Int((unixSeconds - days * 86_400) / 3_600))
    }
}
