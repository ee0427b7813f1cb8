/// The ways xtcp can receive a dump, as the flags that choose them: each
/// end-to-end test that polls runs on every one.
public enum ReceivePath: String, CaseIterable, Sendable, CustomStringConvertible {
    case recvmsg
    case ringPerDatagram = "io_uring, one receive per datagram"
    case ringMultishot = "io_uring, multishot"

    public var flags: [String] {
        switch self {
        case .recvmsg: []
        case .ringPerDatagram: ["-ioUring", "-ioUringMultishot", "false"]
        case .ringMultishot: ["-ioUring"]
        }
    }

    /// A short name for files and topics.
    public var tag: String {
        switch self {
        case .recvmsg: "recv"
        case .ringPerDatagram: "uring1"
        case .ringMultishot: "uringms"
        }
    }

    public var description: String { rawValue }
}
