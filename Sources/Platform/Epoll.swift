/// An epoll instance: descriptors registered with a token, waited on by
/// one thread. Registering and removing are safe from any thread (the
/// kernel serialises epoll_ctl); an event already reaped can name a token
/// whose descriptor was just removed, so callers look tokens up rather
/// than trust them.
public final class Epoll: @unchecked Sendable {  // `tokens` is touched by the waiting thread only
    private let descriptor: FileDescriptor
    private let tokens: UnsafeMutableBufferPointer<UInt64>

    public init(capacity: Int = 64) throws(SystemError) {
        descriptor = try Syscall.epollCreate()
        tokens = .allocate(capacity: min(max(capacity, 1), 256))
    }

    deinit { tokens.deallocate() }

    /// Watches `fd` for input (or with `output`, for room to write);
    /// `token` comes back when it is ready.
    public func add(_ fd: Int32, token: UInt64, output: Bool = false) throws(SystemError) {
        try Syscall.epollAdd(epoll: descriptor.rawValue, descriptor: fd, token: token, output: output)
    }

    /// Watches `fd` for room to write instead of input, or the other way.
    public func modify(_ fd: Int32, token: UInt64, output: Bool) throws(SystemError) {
        try Syscall.epollModify(epoll: descriptor.rawValue, descriptor: fd, token: token, output: output)
    }

    public func remove(_ fd: Int32) {
        Syscall.epollRemove(epoll: descriptor.rawValue, descriptor: fd)
    }

    /// Waits up to `milliseconds` (-1: forever) and calls `ready` with the
    /// token of each descriptor that has input. Returns how many did.
    @discardableResult
    public func wait(milliseconds: Int32, _ ready: (UInt64) -> Void) -> Int {
        let count = Syscall.epollWait(epoll: descriptor.rawValue, tokens: tokens, milliseconds: milliseconds)
        for index in 0..<count { ready(tokens[index]) }
        return count
    }
}
