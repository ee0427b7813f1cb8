import Netlink
#if canImport(Glibc)
import Glibc
#endif

/// The operator's HTTP listener (`-promListen`): a small HTTP/1.1 server on
/// its own thread, one request per connection, answered and closed. Small
/// on purpose: GET or HEAD of a path, a few kilobytes of request at most,
/// 2 s to send it; anything else is a 4xx and never reaches polling, which
/// shares nothing with this thread but `MetricsBoard`'s lock.
public final class HTTPListener: @unchecked Sendable {  // `stopping` is written before the wake-up pipe, read after
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: String
    }

    public struct Response: Sendable {
        public var status: Int
        public var contentType = "text/plain; charset=utf-8"
        public var body: [UInt8]
        public var extraHeaders = ""

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.init(status: status, contentType: contentType, bytes: Array(body.utf8))
        }

        public init(status: Int, contentType: String, bytes: [UInt8], extraHeaders: String = "") {
            self.status = status
            self.contentType = contentType
            self.body = bytes
            self.extraHeaders = extraHeaders
        }
    }

    /// A response now, or work that takes a while (a 30 s profile): that
    /// runs on a thread of its own, which answers and closes the
    /// connection, so the listener goes on serving /metrics meanwhile.
    public enum Reply: Sendable {
        case now(Response)
        case later(@Sendable () -> Response)
    }

    public struct ListenError: Error, CustomStringConvertible {
        public var description: String
    }

    private let descriptor: Int32
    private let wake: (read: Int32, write: Int32)
    private var thread: OSThread?
    /// The address as bound (the port the kernel chose for port 0).
    public let boundPort: UInt16

    /// Listens on `address` (`HOST:PORT`, `[V6]:PORT`, `:PORT` for every
    /// interface) and answers each request with `handler`'s response.
    public init(address: String, handler: @escaping @Sendable (Request) -> Reply) throws {
        guard let parsed = ListenAddress(address) else { throw ListenError(description: "-promListen \(address): expected HOST:PORT") }
        let resolved: ResolvedAddress
        do { resolved = try ResolvedAddress(host: parsed.host, port: parsed.port, type: Int32(SOCK_STREAM.rawValue), passive: true) } catch {
            throw ListenError(description: "-promListen \(address): cannot resolve \(parsed.host): \(error.reason)")
        }
        let fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard fd >= 0, resolved.withSockaddr({ bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { Glibc.close(fd) }
            throw ListenError(description: "-promListen \(address): cannot listen: \(reason)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // Safe: sockaddr_storage holds any address getsockname returns.
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        boundPort = withUnsafeBytes(of: &bound) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }  // sin_port and sin6_port
        descriptor = fd
        var pipeEnds: [Int32] = [0, 0]
        // pipe and accept, then FD_CLOEXEC: pipe2 and accept4 are GNU
        // extensions Glibc's module does not show.
        guard pipe(&pipeEnds) == 0 else {
            Glibc.close(fd)
            throw ListenError(description: "-promListen: pipe: \(String(cString: strerror(errno)))")
        }
        wake = (pipeEnds[0], pipeEnds[1])
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        thread = try OSThread(name: "xtcp-http") { [descriptor, wake] in
            Self.serve(descriptor, wake: wake.read, handler: handler)
        }
    }

    /// Ends the thread and closes the listener.
    public func stop() {
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
        thread?.join()
        thread = nil
        Glibc.close(descriptor)
        Glibc.close(wake.read)
        Glibc.close(wake.write)
    }

    private static func serve(_ listener: Int32, wake: Int32, handler: (Request) -> Reply) {
        var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            guard poll(&watched, 2, -1) >= 0 || errno == EINTR else { return }
            if watched[1].revents != 0 { return }
            guard watched[0].revents != 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            answer(connection, handler: handler)
        }
    }

    static let maxRequestBytes = 8192

    /// Reads one request and answers it; closes the connection, or hands it
    /// to the thread of a `.later` reply, which closes it.
    private static func answer(_ connection: Int32, handler: (Request) -> Reply) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        timeout.tv_sec = 10
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while !received.endsWithBlankLine, received.count < maxRequestBytes {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        let request = parse(received)
        let reply: Reply
        if let request {
            reply = ["GET", "HEAD"].contains(request.method)
                ? handler(request) : .now(Response(status: 405, body: "only GET and HEAD\n"))
        } else if received.isEmpty {
            Glibc.close(connection)
            return  // closed or silent: nothing to answer
        } else {
            reply = .now(Response(status: 400, body: "malformed request\n"))
        }
        let withBody = request?.method != "HEAD"
        switch reply {
        case .now(let response):
            respond(response, to: connection, withBody: withBody)
        case .later(let work):
            do {
                try OSThread.detached(name: "xtcp-http-slow") { respond(work(), to: connection, withBody: withBody) }
            } catch {
                respond(Response(status: 503, body: "cannot start a thread for this request: \(error)\n"), to: connection, withBody: withBody)
            }
        }
    }

    /// Sends `response` and closes the connection.
    private static func respond(_ response: Response, to connection: Int32, withBody: Bool) {
        let head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + response.extraHeaders + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        sendAll(connection, Array(head.utf8))
        if withBody { sendAll(connection, response.body) }
        Glibc.close(connection)
    }

    /// The request line of a whole request head, or nil when it is not one.
    static func parse(_ bytes: [UInt8]) -> Request? {
        guard bytes.endsWithBlankLine, let lineEnd = bytes.firstIndex(of: 0x0D) else { return nil }
        let line = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/"),
              parts[0].allSatisfy({ $0.isUppercase }) else { return nil }
        let target = parts[1]
        let question = target.firstIndex(of: "?")
        return Request(method: String(parts[0]), path: String(target[..<(question ?? target.endIndex)]),
                       query: question.map { String(target[target.index(after: $0)...]) } ?? "")
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    private static func sendAll(_ connection: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }
}

extension [UInt8] {
    /// Whether a request head is whole: it ends with an empty line.
    var endsWithBlankLine: Bool { count >= 4 && self[(count - 4)...].elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) }
}
