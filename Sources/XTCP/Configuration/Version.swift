import CBuildInfo

/// xtcp's own version, stamped into every record (`daemon_version`), and
/// what the build was made from (`xtcp -version`, xtcp_build_info).
public enum XTCPVersion {
    public static let daemon = "0.1.0"
    /// `schema_version`: the record schema (xtcp2 v1 plus xtcp's additions).
    public static let schema: UInt32 = 1
    /// The git revision built; "unknown" unless scripts/build-release.sh built it.
    public static let revision = String(cString: xtcp_build_revision())
    /// The day of that revision's commit.
    public static let buildDate = String(cString: xtcp_build_date())
    /// The Swift compiler that built it.
    public static let swift = String(cString: xtcp_build_swift())

    /// `xtcp -version`'s line.
    public static var line: String {
        "xtcp \(daemon) (schema \(schema)) revision \(revision), built \(buildDate) with Swift \(swift)"
    }
}
