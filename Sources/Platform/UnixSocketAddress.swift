#if canImport(Glibc)
import Glibc
#endif

/// An AF_UNIX address: a path, or an abstract name written with a leading
/// "@" (as systemd and ss write them). Nil for an empty name or one too
/// long for sun_path.
public struct UnixSocketAddress: Sendable {
    private let address: sockaddr_un
    private let length: socklen_t
    public let name: String

    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path), !bytes.contains(0) else { return nil }
        self.name = name
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
            if bytes[0] == UInt8(ascii: "@") { path[0] = 0 }  // an abstract socket
        }
        self.address = address
        // An abstract name's length is exact (no terminating NUL counts).
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == UInt8(ascii: "@") ? 0 : 1))
    }

    /// Calls `body` with the address as the socket calls take it.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R {
        var address = address
        // Safe: sockaddr_un begins as every sockaddr does, and `length` is
        // within it.
        let result: Result<R, SystemError> = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                do throws(SystemError) { return .success(try body(target, length)) } catch { return .failure(error) }
            }
        }
        return try result.get()
    }

    /// A stream socket connected to this address, with `timeout` on each
    /// send and receive (nil: none).
    public func connectStream(timeout: Duration? = nil) throws(SystemError) -> FileDescriptor {
        let socket = try Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue))
        if let timeout {
            try Syscall.setTimeout(descriptor: socket.rawValue, option: SO_RCVTIMEO, timeout)
            try Syscall.setTimeout(descriptor: socket.rawValue, option: SO_SNDTIMEO, timeout)
        }
        try withSockaddr { address, length throws(SystemError) in try Syscall.connect(descriptor: socket.rawValue, address: address, length: length) }
        return socket
    }
}
