/// `-ioUring -ioUringFallback false` on a kernel that will not set up a
/// ring (io_uring disabled by `kernel.io_uring_disabled`, too old, or out
/// of locked memory): the operator asked for rings or nothing.
public struct IOUringUnavailable: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "-ioUring: cannot set up a ring (\(reason)), and -ioUringFallback is false" }
}
