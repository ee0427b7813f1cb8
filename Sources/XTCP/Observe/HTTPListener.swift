import Platform
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

    private let listening: FileDescriptor
    private let wake: Syscall.Pipe
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
        do {
            listening = try resolved.socket(type: Int32(SOCK_STREAM.rawValue))
            try Syscall.setsockopt(descriptor: listening.rawValue, level: SOL_SOCKET, option: SO_REUSEADDR, value: Int32(1), name: "SO_REUSEADDR")
            try resolved.bind(listening)
            try Syscall.listen(descriptor: listening.rawValue, backlog: 16)
            boundPort = try Syscall.boundPort(descriptor: listening.rawValue)
            wake = try Syscall.pipe()
        } catch {
            throw ListenError(description: "-promListen \(address): cannot listen: \(Errno.describe(error.errno))")
        }
        thread = try OSThread(name: "xtcp-http") { [listening = listening.rawValue, wake = wake.read.rawValue] in
            Self.serve(listening, wake: wake, handler: handler)
        }
    }

    /// Ends the thread; the listener closes when this is released.
    public func stop() {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { try? Syscall.write(descriptor: wake.write.rawValue, bytes: $0) }
        thread?.join()
        thread = nil
    }

    private static func serve(_ listener: Int32, wake: Int32, handler: (Request) -> Reply) {
        var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            guard (try? Syscall.poll(&watched, milliseconds: -1)) != nil else { return }
            if watched[1].revents != 0 { return }
            guard watched[0].revents != 0, let connection = try? Syscall.accept(descriptor: listener) else { continue }
            answer(connection.release(), handler: handler)
        }
    }

    static let maxRequestBytes = 8192

    /// Reads one request and answers it; closes the connection, or hands it
    /// to the thread of a `.later` reply, which closes it.
    private static func answer(_ connection: Int32, handler: (Request) -> Reply) {
        try? Syscall.setTimeout(descriptor: connection, option: SO_RCVTIMEO, .seconds(2))
        try? Syscall.setTimeout(descriptor: connection, option: SO_SNDTIMEO, .seconds(10))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while !received.endsWithBlankLine, received.count < maxRequestBytes {
            guard case .processed(let count)? = chunk.withUnsafeMutableBytes({ try? Syscall.recv(descriptor: connection, into: $0) }),
                  count > 0 else { break }
            received += chunk[0..<count]
        }
        let request = parse(received)
        let reply: Reply
        if let request {
            reply = ["GET", "HEAD"].contains(request.method)
                ? handler(request) : .now(Response(status: 405, body: "only GET and HEAD\n"))
        } else if received.isEmpty {
            Syscall.close(descriptor: connection)
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
        Syscall.close(descriptor: connection)
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

    /// Sends what it can; a client gone or too slow (10 s) is left.
    private static func sendAll(_ connection: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { try? Syscall.send(descriptor: connection, bytes: $0) }
            guard case .processed(let count)? = result, count > 0 else { return }
            sent += count
        }
    }
}

extension [UInt8] {
    /// Whether a request head is whole: it ends with an empty line.
    var endsWithBlankLine: Bool { count >= 4 && self[(count - 4)...].elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) }
}
