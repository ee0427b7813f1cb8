/// An open file descriptor that this value owns: closed when the value
/// ends (`deinit`), unless ownership is given up with `release()`. Not
/// copyable, so two owners cannot close it twice.
public struct FileDescriptor: ~Copyable, Sendable {
    public let rawValue: Int32

    /// Takes ownership of `rawValue`, an open descriptor.
    public init(adopting rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit { Syscall.close(descriptor: rawValue) }

    /// Gives up ownership: the caller closes the descriptor.
    public consuming func release() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    /// Closes it now and says what close(2) said (nil: closed cleanly), for
    /// the callers that report it.
    public consuming func close() -> Int32? {
        Syscall.close(descriptor: release())
    }
}
