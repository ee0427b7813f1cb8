import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket listening on `HOST:PORT`, `[V6]:PORT` or `:PORT` (every
/// interface): the one way xtcp's listeners (`-promListen`, `-grpcListen`)
/// bind, so both refuse a bad or taken address with the same words, at
/// start, before the destination opens.
public struct ListeningSocket: ~Copyable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public let descriptor: FileDescriptor
    /// The port bound (the kernel's choice for port 0).
    public let port: UInt16

    /// `flag` names the address in a failure (`-grpcListen 0.0.0.0:80: …`).
    public init(address: String, flag: String, nonBlocking: Bool = true) throws(Failure) {
        guard let parsed = ListenAddress(address) else { throw Failure(description: "\(flag) \(address): expected HOST:PORT") }
        let resolved: ResolvedAddress
        do { resolved = try ResolvedAddress(host: parsed.host, port: parsed.port, type: Int32(SOCK_STREAM.rawValue), passive: true) } catch {
            throw Failure(description: "\(flag) \(address): cannot resolve \(parsed.host): \(error.reason)")
        }
        do {
            let socket = try resolved.socket(type: Int32(SOCK_STREAM.rawValue))
            try Syscall.setsockopt(descriptor: socket.rawValue, level: SOL_SOCKET, option: SO_REUSEADDR, value: Int32(1), name: "SO_REUSEADDR")
            try resolved.bind(socket)
            if nonBlocking { _ = try Syscall.fcntl(descriptor: socket.rawValue, command: F_SETFL, value: O_NONBLOCK) }
            try Syscall.listen(descriptor: socket.rawValue, backlog: 128)
            port = try Syscall.boundPort(descriptor: socket.rawValue)
            descriptor = socket
        } catch {
            throw Failure(description: "\(flag) \(address): cannot listen: \(Errno.describe(error.errno))")
        }
    }

    /// The descriptor, for a listener that takes it over (and closes it).
    public consuming func release() -> Int32 { descriptor.release() }
}
