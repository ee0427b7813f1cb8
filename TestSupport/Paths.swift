import Foundation

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
    ///
    /// Every xtcp a test starts inherits `XTCP_GRPCLISTEN=off` (set here,
    /// where every such test finds the binary, unless the runner set it):
    /// tests run daemons side by side, and count a namespace's sockets,
    /// which the default gRPC listener on 127.0.0.1:8889 would disturb. A
    /// test of the API names -grpcListen, which wins over the variable.
    public static let xtcp: String = {
        setenv("XTCP_GRPCLISTEN", "off", 0)
        return packageRoot + "/.build/debug/xtcp"
    }()
    public static let kafkaMock = packageRoot + "/.build/debug/xtcp-kafka-mock"

    public static let schema = packageRoot + "/proto/xtcp_flat_record/v1/xtcp_flat_record.proto"
    /// The .proto files' root (protoc's -I).
    public static let protoRoot = packageRoot + "/proto"
}
