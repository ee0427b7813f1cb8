import RecordFmt

/// Maps INET_DIAG_CONG names to the record's enum, with shared strings for
/// the common names so that decoding them never builds a new String.
public enum CongestionName {
    @usableFromInline
    static let table: [(bytes: [UInt8], name: String, algorithm: CongestionAlgorithm)] = {
        let known: [(String, CongestionAlgorithm)] = [
            ("cubic", .cubic), ("bbr", .bbr1), ("reno", .unspecified), ("dctcp", .dctcp),
            ("vegas", .vegas), ("prague", .prague), ("bbr2", .bbr2), ("bbr3", .bbr3),
            ("htcp", .unspecified), ("bic", .unspecified), ("westwood", .unspecified),
        ]
        return known.map { (Array($0.0.utf8), $0.0, $0.1) }
    }()

    /// The enum for `name` (UNSPECIFIED for algorithms xtcp2's enum lacks) and,
    /// when the name is a common one, a shared String for it.
    @inlinable
    public static func lookup(_ name: UnsafeRawBufferPointer) -> (algorithm: CongestionAlgorithm, name: String?) {
        for entry in table where entry.bytes.count == name.count {
            if entry.bytes.withUnsafeBytes({ $0.elementsEqual(name) }) { return (entry.algorithm, entry.name) }
        }
        return (.unspecified, nil)
    }

    /// Mainline Linux's "bbr" is BBRv1; out-of-tree BBRv2/v3 register as
    /// "bbr2"/"bbr3" (Google's BBRv3 branch also names itself "bbr").
    public static func algorithm(named name: String) -> CongestionAlgorithm {
        var bytes = Array(name.utf8)
        return bytes.withUnsafeMutableBytes { lookup(UnsafeRawBufferPointer($0)).algorithm }
    }
}
