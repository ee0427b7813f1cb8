import Platform
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 GETs over a unix stream socket, as a runtime's local API
/// speaks it (Docker's Engine API on /run/docker.sock): one request per
/// connection, a response read by its Content-Length, its chunks, or to
/// the connection's end; bounded in size. `stream` reads a long-lived
/// chunked response (an event stream) line by line.
public struct UnixHTTPClient: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public let socket: String
    /// Each receive's and send's wait (an event stream's, until its head
    /// is in: it may idle for hours after); nil: none.
    public var timeout: Duration?
    /// The most a response's head or body may hold.
    public var limit = 16 << 20

    public init(socket: String, timeout: Duration? = .seconds(5)) {
        self.socket = socket
        self.timeout = timeout
    }

    /// GET `target`: the status and the whole body.
    public func get(_ target: String) throws(Failure) -> (status: Int, body: [UInt8]) {
        let response = try open(target)
        return (response.status, try response.body())
    }

    /// GET `target` and read its body as it comes: `line` with each
    /// newline-ended line (without the newline) until the response or the
    /// connection ends (an error) or `line` returns false. `opened` is
    /// told the status once the response's head is in (the stream is live)
    /// and says whether to read on.
    public func stream(_ target: String, opened: (Int) -> Bool, line: ([UInt8]) -> Bool) throws(Failure) {
        let response = try open(target)
        if timeout != nil {
            // A zero timeout is none: the stream idles between events.
            do { try Syscall.setTimeout(descriptor: response.connection.rawValue, option: SO_RCVTIMEO, .zero) } catch {
                throw Failure(reason: "\(socket): \(error)")
            }
        }
        guard opened(response.status) else { return }
        var pending: [UInt8] = []
        while let piece = try response.nextPiece() {
            pending += piece
            while let newline = pending.firstIndex(of: 0x0A) {
                let text = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if !text.isEmpty, !line(text) { return }
            }
            guard pending.count <= limit else { throw Failure(reason: "a line of the stream longer than \(limit) bytes") }
        }
        throw Failure(reason: "the stream ended")
    }

    private func open(_ target: String) throws(Failure) -> Response {
        guard let address = UnixSocketAddress(socket) else { throw Failure(reason: "not a unix socket address: \(socket)") }
        // Host is required by HTTP/1.1; Docker ignores it on a unix socket.
        let request = "GET \(target) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: xtcp/\(XTCPVersion.daemon)\r\nAccept: application/json\r\n\r\n"
        let connection: FileDescriptor
        do {
            connection = try address.connectStream(timeout: timeout)
        } catch {
            throw Failure(reason: "\(socket): \(error)")
        }
        // send, not write: a peer gone is EPIPE, never SIGPIPE.
        let descriptor = connection.rawValue
        var unsent = Array(request.utf8)[...]
        while !unsent.isEmpty {
            let sent: IOResult<Int>
            do {
                sent = try unsent.withUnsafeBytes { bytes throws(SystemError) in try Syscall.send(descriptor: descriptor, bytes: bytes) }
            } catch {
                throw Failure(reason: "\(socket): \(error)")
            }
            guard case .processed(let count) = sent, count > 0 else { throw Failure(reason: "\(socket): the request not taken within the timeout") }
            unsent = unsent.dropFirst(count)
        }
        let response = Response(connection: connection, limit: limit)
        try response.readHead()
        return response
    }

    /// One response on its own connection.
    final class Response {
        let connection: FileDescriptor
        let limit: Int
        var buffered: [UInt8] = []
        var status = 0
        var length: Int?
        var chunked = false
        /// Chunked: bytes left of the chunk being read; nil between chunks.
        var chunkLeft: Int?
        var ended = false

        init(connection: consuming FileDescriptor, limit: Int) {
            self.connection = connection
            self.limit = limit
        }

        /// More bytes into `buffered`; false at the connection's end.
        func fill() throws(Failure) -> Bool {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let result: IOResult<Int>
            do {
                result = try chunk.withUnsafeMutableBytes { bytes throws(SystemError) in try Syscall.recv(descriptor: connection.rawValue, into: bytes) }
            } catch {
                throw Failure(reason: "receive: \(error)")
            }
            switch result {
            case .wouldBlock: throw Failure(reason: "no answer within the timeout")
            case .processed(0): return false
            case .processed(let count): buffered += chunk[..<count]
            }
            return true
        }

        /// One CRLF-ended line of the head or of the chunk framing.
        func line() throws(Failure) -> String {
            while true {
                if let end = buffered.firstIndex(of: 0x0A) {
                    let text = buffered[..<end].last == 0x0D ? buffered[..<(end - 1)] : buffered[..<end]
                    defer { buffered.removeSubrange(...end) }
                    return String(decoding: text, as: UTF8.self)
                }
                guard buffered.count <= 8192 else { throw Failure(reason: "a header line longer than 8 KiB") }
                guard try fill() else { throw Failure(reason: "the connection ended in the response's head") }
            }
        }

        func readHead() throws(Failure) {
            let statusLine = try line()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...599).contains(code) else {
                throw Failure(reason: "not an HTTP response: \(statusLine.prefix(80))")
            }
            status = code
            var headers = 0
            while true {
                let header = try line()
                if header.isEmpty { break }
                headers += 1
                guard headers <= 100 else { throw Failure(reason: "more than 100 headers") }
                guard let colon = header.firstIndex(of: ":") else { throw Failure(reason: "a header without a colon: \(header.prefix(80))") }
                let name = header[..<colon].lowercased()
                let value = header[header.index(after: colon)...].trimmingSpaces
                if name == "content-length" {
                    guard let count = Int(value), count >= 0 else { throw Failure(reason: "Content-Length \(value.prefix(20))") }
                    guard count <= limit else { throw Failure(reason: "a body of \(count) bytes, more than \(limit)") }
                    length = count
                } else if name == "transfer-encoding" {
                    chunked = value.lowercased().split(separator: ",").last?.trimmingSpaces == "chunked"
                }
            }
        }

        /// The next bytes of the body as they come; nil at its end.
        func nextPiece() throws(Failure) -> [UInt8]? {
            if ended { return nil }
            if chunked {
                if chunkLeft == nil {
                    let size = try line()
                    guard let count = Int(size.split(separator: ";").first?.trimmingSpaces ?? "", radix: 16), count >= 0 else {
                        throw Failure(reason: "a chunk size that is not hex: \(size.prefix(20))")
                    }
                    guard count <= limit else { throw Failure(reason: "a chunk of \(count) bytes, more than \(limit)") }
                    if count == 0 {
                        ended = true
                        return nil
                    }
                    chunkLeft = count
                }
                if buffered.isEmpty { guard try fill() else { throw Failure(reason: "the connection ended in a chunk") } }
                let take = min(chunkLeft!, buffered.count)
                let piece = Array(buffered[..<take])
                buffered.removeSubrange(..<take)
                chunkLeft! -= take
                if chunkLeft == 0 {
                    chunkLeft = nil
                    guard try line().isEmpty else { throw Failure(reason: "a chunk not ended by CRLF") }
                }
                return piece
            }
            if let left = length {
                if left == 0 {
                    ended = true
                    return nil
                }
                if buffered.isEmpty { guard try fill() else { throw Failure(reason: "the connection ended \(left) bytes before the body's end") } }
                let take = min(left, buffered.count)
                let piece = Array(buffered[..<take])
                buffered.removeSubrange(..<take)
                length = left - take
                return piece
            }
            // Neither: the body is what comes until the connection ends.
            if buffered.isEmpty, !(try fill()) {
                ended = true
                return nil
            }
            defer { buffered.removeAll(keepingCapacity: true) }
            return buffered
        }

        /// The whole body, at most `limit` bytes.
        func body() throws(Failure) -> [UInt8] {
            var all: [UInt8] = []
            while let piece = try nextPiece() {
                all += piece
                guard all.count <= limit else { throw Failure(reason: "a body longer than \(limit) bytes") }
            }
            return all
        }
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
