/// xtcp's own version, stamped into every record (`daemon_version`).
public enum XTCPVersion {
    public static let daemon = "0.1.0"
    /// `schema_version`: the record schema (xtcp2 v1 plus xtcp's additions).
    public static let schema: UInt32 = 1
}
