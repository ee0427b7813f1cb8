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
        let fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (false, "xtcp -healthcheck: socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard resolved.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            return (false, "xtcp -healthcheck: no daemon answers at \(address): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            return (false, "xtcp -healthcheck: send to \(address): \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return (false, "xtcp -healthcheck: \(address) did not answer within 2 s") }
        let statusLine = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
        let healthy = statusLine.hasPrefix("HTTP/1.1 200") || statusLine.hasPrefix("HTTP/1.0 200")
        return (healthy, "xtcp -healthcheck: \(address)\(path): \(statusLine)")
    }
}
