/// Where the package and the shared fixtures are, found from this file's path
/// so tests run the same from any working directory.
public enum Paths {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // TestSupport/Paths.swift
        return parts.joined(separator: "/")
    }()

    /// `../shared/fixtures/xtcp2-captures`, beside the checkout as in CI.
    public static let xtcp2Captures = packageRoot + "/../shared/fixtures/xtcp2-captures"

    /// The debug binaries `swift build --build-tests` leaves.
    public static let xtcp = packageRoot + "/.build/debug/xtcp"
    public static let kafkaMock = packageRoot + "/.build/debug/xtcp-kafka-mock"

    public static let schema = packageRoot + "/proto/xtcp_flat_record/v1/xtcp_flat_record.proto"
}
