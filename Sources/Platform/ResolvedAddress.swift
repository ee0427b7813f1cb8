#if canImport(Glibc)
import Glibc
#endif

/// The first address getaddrinfo gives for a host and port, copied out of
/// its list: what the UDP destination connects to, the HTTP listener binds
/// and `-healthcheck` connects to.
public struct ResolvedAddress: Sendable {
    public var family: Int32
    var storage = sockaddr_storage()
    var length: socklen_t

    /// `host` nil (or empty) with `passive`: every interface. Throws
    /// getaddrinfo's own words.
    public init(host: String?, port: UInt16, type: Int32, passive: Bool = false) throws(ResolveError) {
        var hints = addrinfo()
        hints.ai_socktype = type
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.flatMap { $0.isEmpty ? nil : $0 }, String(port), &hints, &found)
        guard status == 0, let first = found else { throw ResolveError(reason: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(found) }
        family = first.pointee.ai_family
        length = first.pointee.ai_addrlen
        // Safe: ai_addrlen bytes of an address fit in a sockaddr_storage.
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length))) }
    }

    public struct ResolveError: Error, Sendable {
        public var reason: String
    }

    /// Calls `body` with the address as a `sockaddr` (connect, bind).
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { try body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    /// A socket of this address's family and `type`, bound to it (`bind`)
    /// or connected to it.
    public func socket(type: Int32) throws(SystemError) -> FileDescriptor {
        try Syscall.socket(domain: family, type: type)
    }

    public func bind(_ descriptor: borrowing FileDescriptor) throws(SystemError) {
        let fd = descriptor.rawValue
        try withSockaddr { address, length in
            Result { () throws(SystemError) in try Syscall.bind(descriptor: fd, address: address, length: length) }
        }.get()
    }

    public func connect(_ descriptor: borrowing FileDescriptor) throws(SystemError) {
        let fd = descriptor.rawValue
        try withSockaddr { address, length in
            Result { () throws(SystemError) in try Syscall.connect(descriptor: fd, address: address, length: length) }
        }.get()
    }
}
