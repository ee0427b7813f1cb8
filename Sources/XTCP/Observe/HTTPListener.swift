import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The operator's HTTP listener (`-promListen`): a small HTTP/1.1 server on
/// its own thread, answering many connections at once from one epoll
/// loop. One request per connection, answered and closed. Small on
/// purpose: GET or HEAD of a path, 8 KiB of request head at most, read
/// within an absolute deadline (2 s from the connection, however slowly
/// its bytes come); at most `Limits.connections` at once, the oldest
/// evicted for a newcomer, so no client, and no number of idle ones, can
/// keep `/healthz` from being answered. Anything else is a 4xx and never
/// reaches polling, which shares nothing with this thread but
/// `MetricsBoard`'s lock.
public final class HTTPListener: @unchecked Sendable {  // `thread` is set in init and joined in stop, on one thread
    public struct Request: Sendable, Equatable {
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
    /// connection, so the listener goes on serving /metrics meanwhile. The
    /// work is told whether its client is gone (`clientGone()`), so that it
    /// can stop rather than hold what it holds (the profiler) for nobody.
    public enum Reply: Sendable {
        case now(Response)
        case later(@Sendable (_ clientGone: () -> Bool) -> Response)
    }

    /// How much the listener takes.
    public struct Limits: Sendable {
        /// Connections at once; a newcomer evicts the oldest.
        public var connections = 256
        /// From accepting a connection to having its request head.
        public var requestDeadline: Duration = .seconds(2)
        /// From having the request to having sent the answer.
        public var responseDeadline: Duration = .seconds(10)

        public init() {}
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
    public init(address: String, limits: Limits = Limits(), handler: @escaping @Sendable (Request) -> Reply) throws {
        let socket: ListeningSocket
        do { socket = try ListeningSocket(address: address, flag: "-promListen") } catch { throw ListenError(description: error.description) }
        boundPort = socket.port
        listening = FileDescriptor(adopting: socket.release())
        do { wake = try Syscall.pipe() } catch { throw ListenError(description: "-promListen \(address): \(Errno.describe(error.errno))") }
        let loop = try HTTPServerLoop(listener: listening.rawValue, wake: wake.read.rawValue, limits: limits, handler: handler)
        thread = try OSThread(name: "xtcp-http") { loop.run() }
    }

    /// Ends the thread; the listener closes when this is released.
    public func stop() {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { try? Syscall.write(descriptor: wake.write.rawValue, bytes: $0) }
        thread?.join()
        thread = nil
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// A response as the bytes sent: status line, headers, the body unless
    /// the request was HEAD.
    static func bytes(of response: Response, withBody: Bool) -> [UInt8] {
        let head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + response.extraHeaders + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (withBody ? response.body : [])
    }
}
