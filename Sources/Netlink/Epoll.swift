import CKernelABI
#if canImport(Glibc)
import Glibc
#endif

/// An epoll instance: descriptors registered with a token, waited on by
/// one thread. Registering and removing are safe from any thread (the
/// kernel serialises epoll_ctl); an event already reaped can name a token
/// whose descriptor was just removed, so callers look tokens up rather
/// than trust them.
public final class Epoll: @unchecked Sendable {  // `tokens` is touched by the waiting thread only
    private let descriptor: Int32
    private var tokens: [UInt64]

    public init(capacity: Int = 64) throws {
        descriptor = xtcp_epoll_create()
        guard descriptor >= 0 else { throw NetlinkSocket.SystemError(call: "epoll_create1", errno: errno) }
        tokens = Array(repeating: 0, count: min(capacity, 256))
    }

    deinit { close(descriptor) }

    /// Watches `fd` for input; `token` comes back when it has some.
    public func add(_ fd: Int32, token: UInt64) throws {
        guard xtcp_epoll_add(descriptor, fd, token) == 0 else {
            throw NetlinkSocket.SystemError(call: "epoll_ctl(ADD)", errno: errno)
        }
    }

    public func remove(_ fd: Int32) {
        _ = xtcp_epoll_remove(descriptor, fd)
    }

    /// Waits up to `milliseconds` (-1: forever) and calls `ready` with the
    /// token of each descriptor that has input. Returns how many did.
    @discardableResult
    public func wait(milliseconds: Int32, _ ready: (UInt64) -> Void) -> Int {
        let count = tokens.withUnsafeMutableBufferPointer { xtcp_epoll_wait(descriptor, $0.baseAddress, Int32($0.count), milliseconds) }
        guard count > 0 else { return 0 }  // 0: time is up; -1 (EINTR): as if it were
        for index in 0..<Int(count) { ready(tokens[index]) }
        return Int(count)
    }
}
