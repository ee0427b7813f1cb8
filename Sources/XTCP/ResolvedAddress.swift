#if canImport(Glibc)
import Glibc
#endif

/// The first address getaddrinfo gives for a host and port, copied out of
/// its list: what the UDP destination connects to, the HTTP listener binds
/// and `-healthcheck` connects to.
struct ResolvedAddress {
    var family: Int32
    var storage = sockaddr_storage()
    var length: socklen_t

    /// `host` nil (or empty) with `passive`: every interface. Throws
    /// getaddrinfo's own words.
    init(host: String?, port: UInt16, type: Int32, passive: Bool = false) throws(ResolveError) {
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

    struct ResolveError: Error { var reason: String }

    /// Calls `body` with the address as a `sockaddr` (connect, bind).
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}
