import Platform
#if canImport(Glibc)
import Glibc
#endif

/// `xtcp -healthcheck`: asks a running daemon's `/healthz` on its
/// `-promListen` address, for a container's health check. One request, 2 s
/// at most; healthy only on a 200.
public enum HealthCheck {
    public static func ask(address: String, path: String = "/healthz") -> (healthy: Bool, line: String) {
        guard let parsed = ListenAddress(address) else {
            return (false, "xtcp -healthcheck: -promListen \(address): expected HOST:PORT")
        }
        let host = parsed.reachableHost
        guard let resolved = try? ResolvedAddress(host: host, port: parsed.port, type: Int32(SOCK_STREAM.rawValue)) else {
            return (false, "xtcp -healthcheck: cannot resolve \(host)")
        }
        let connection: FileDescriptor
        do { connection = try resolved.socket(type: Int32(SOCK_STREAM.rawValue)) } catch {
            return (false, "xtcp -healthcheck: socket: \(Errno.describe(error.errno))")
        }
        let fd = connection.rawValue
        try? Syscall.setTimeout(descriptor: fd, option: SO_RCVTIMEO, .seconds(2))
        try? Syscall.setTimeout(descriptor: fd, option: SO_SNDTIMEO, .seconds(2))
        do { try resolved.connect(connection) } catch {
            return (false, "xtcp -healthcheck: no daemon answers at \(address): \(Errno.describe(error.errno))")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        do {
            guard case .processed(request.count) = try Syscall.send(descriptor: fd, bytes: request) else {
                return (false, "xtcp -healthcheck: send to \(address): timed out")
            }
        } catch {
            return (false, "xtcp -healthcheck: send to \(address): \(Errno.describe(error.errno))")
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let received = buffer.withUnsafeMutableBytes { try? Syscall.recv(descriptor: fd, into: $0) }
        guard case .processed(let count)? = received, count > 0 else { return (false, "xtcp -healthcheck: \(address) did not answer within 2 s") }
        let statusLine = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
        let healthy = statusLine.hasPrefix("HTTP/1.1 200") || statusLine.hasPrefix("HTTP/1.0 200")
        return (healthy, "xtcp -healthcheck: \(address)\(path): \(statusLine)")
    }
}
