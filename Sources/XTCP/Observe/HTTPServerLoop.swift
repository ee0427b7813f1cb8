import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP listener's thread: one epoll loop over the listening socket,
/// the wake-up pipe and every connection, each non-blocking, each with an
/// absolute deadline. A connection is read until its request head is whole
/// (or refusable), answered, written as the client takes it, and closed;
/// one that misses its deadline is answered 408 if it can take it, and
/// closed. At `Limits.connections` the oldest is evicted for a newcomer.
/// Nothing here blocks but the epoll wait, bounded by the next deadline.
final class HTTPServerLoop: @unchecked Sendable {  // used by the listener's thread only, once started
    private final class Connection {
        let file: FileDescriptor
        var received: [UInt8] = []
        var deadline: ContinuousClock.Instant
        /// The answer, once there is one, and how much of it is sent.
        var answer: [UInt8]?
        var sent = 0
        let serial: UInt64

        init(_ file: consuming FileDescriptor, deadline: ContinuousClock.Instant, serial: UInt64) {
            self.file = file
            self.deadline = deadline
            self.serial = serial
        }

        var descriptor: Int32 { file.rawValue }
    }

    private static let listenerToken = UInt64.max
    private static let wakeToken = UInt64.max - 1

    private let listener: Int32
    private let limits: HTTPListener.Limits
    private let handler: @Sendable (HTTPListener.Request) -> HTTPListener.Reply
    private let epoll: Epoll
    private var connections: [Int32: Connection] = [:]
    private var serials: UInt64 = 0
    private var chunk = [UInt8](repeating: 0, count: 4096)

    init(listener: Int32, wake: Int32, limits: HTTPListener.Limits,
         handler: @escaping @Sendable (HTTPListener.Request) -> HTTPListener.Reply) throws(SystemError) {
        self.listener = listener
        self.limits = limits
        self.handler = handler
        epoll = try Epoll(capacity: 256)
        try epoll.add(listener, token: Self.listenerToken)
        try epoll.add(wake, token: Self.wakeToken)
    }

    /// Serves until the wake-up pipe is written; then closes every connection.
    func run() {
        var ready: [UInt64] = []
        ready.reserveCapacity(256)
        while true {
            let now = ContinuousClock.now
            expire(now)
            let next = connections.values.lazy.map(\.deadline).min().map { max(.zero, $0 - now) } ?? .seconds(1)
            ready.removeAll(keepingCapacity: true)
            epoll.wait(milliseconds: Int32(min(1000, next.roundedMilliseconds + 1))) { ready.append($0) }
            for token in ready {
                switch token {
                case Self.wakeToken:
                    connections.removeAll()
                    return
                case Self.listenerToken:
                    acceptAll()
                default:
                    guard let connection = connections[Int32(truncatingIfNeeded: token)] else { continue }
                    if connection.answer != nil { write(connection) } else { read(connection) }
                }
            }
        }
    }

    // MARK: Connections

    private func acceptAll() {
        while let accepted = try? Syscall.accept(descriptor: listener) {
            let fd = accepted.rawValue
            if connections.count >= limits.connections, let oldest = connections.values.min(by: { $0.serial < $1.serial }) {
                close(oldest)
            }
            guard (try? Syscall.fcntl(descriptor: fd, command: F_SETFL, value: O_NONBLOCK)) != nil,
                  (try? epoll.add(fd, token: UInt64(fd))) != nil else { continue }  // closed as `accepted` goes
            serials &+= 1
            connections[fd] = Connection(accepted, deadline: .now + limits.requestDeadline, serial: serials)
        }
    }

    private func read(_ connection: Connection) {
        var ended = false
        let fd = connection.descriptor
        while connection.received.count <= HTTPRequestHead.maxBytes {
            let result = chunk.withUnsafeMutableBytes { try? Syscall.recv(descriptor: fd, into: $0) }
            guard case .processed(let count)? = result else {
                if result == nil { ended = true }  // an error: as good as gone
                break
            }
            if count == 0 {
                ended = true
                break
            }
            connection.received += chunk[0..<count]
        }
        switch HTTPRequestHead(parsing: connection.received) {
        case .incomplete:
            if ended { close(connection) }  // closed or silent: nothing to answer
        case .refused(let status, let reason):
            answer(connection, HTTPListener.Response(status: status, body: reason + "\n"), withBody: true)
        case .request(let request):
            let withBody = request.method != "HEAD"
            switch handler(request) {
            case .now(let response):
                answer(connection, response, withBody: withBody)
            case .later(let work):
                handOver(connection, withBody: withBody, work)
            }
        }
    }

    private func answer(_ connection: Connection, _ response: HTTPListener.Response, withBody: Bool) {
        connection.answer = HTTPListener.bytes(of: response, withBody: withBody)
        connection.deadline = .now + limits.responseDeadline
        write(connection)
        if connections[connection.descriptor] != nil {
            // The client takes it slowly: wait for room, not for input.
            try? epoll.modify(connection.descriptor, token: UInt64(connection.descriptor), output: true)
        }
    }

    /// Sends what the client takes now; closes once all is sent.
    private func write(_ connection: Connection) {
        guard let answer = connection.answer else { return }
        while connection.sent < answer.count {
            let result = answer[connection.sent...].withUnsafeBytes { try? Syscall.send(descriptor: connection.descriptor, bytes: $0) }
            guard case .processed(let count)? = result else {
                if result == nil { close(connection) }  // the client is gone
                return
            }
            connection.sent += count
        }
        close(connection)
    }

    /// A reply that takes a while: the connection goes to a thread of its
    /// own (out of this loop, blocking with a send timeout), which answers
    /// and closes it.
    private func handOver(_ connection: Connection, withBody: Bool, _ work: @escaping @Sendable (_ clientGone: () -> Bool) -> HTTPListener.Response) {
        let fd = connection.descriptor
        epoll.remove(fd)
        connections[fd] = nil
        guard let owned = Self.duplicate(fd) else { return }
        let raw = owned.release()
        do {
            try OSThread.detached(name: "xtcp-http-slow") {
                let file = FileDescriptor(adopting: raw)
                _ = try? Syscall.fcntl(descriptor: raw, command: F_SETFL, value: 0)
                try? Syscall.setTimeout(descriptor: raw, option: SO_SNDTIMEO, .seconds(10))
                let response = work { Self.peerClosed(raw) }
                try? Syscall.writeAll(descriptor: file.rawValue, bytes: HTTPListener.bytes(of: response, withBody: withBody))
            }
        } catch {
            let file = FileDescriptor(adopting: raw)
            try? Syscall.writeAll(descriptor: file.rawValue, bytes: HTTPListener.bytes(
                of: HTTPListener.Response(status: 503, body: "cannot start a thread for this request: \(error)\n"), withBody: withBody))
        }
    }

    /// Whether the client has closed its end (a read would see the end).
    static func peerClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let result = withUnsafeMutableBytes(of: &byte) { try? Syscall.recv(descriptor: fd, into: $0, flags: Int32(MSG_PEEK | MSG_DONTWAIT)) }
        if case .processed(0)? = result { return true }
        return result == nil
    }

    /// A descriptor of its own for the connection, which outlives the
    /// loop's `Connection` (closed when it is dropped).
    private static func duplicate(_ fd: Int32) -> FileDescriptor? {
        guard let copy = try? Syscall.fcntl(descriptor: fd, command: F_DUPFD_CLOEXEC, value: 3) else { return nil }
        return FileDescriptor(adopting: copy)
    }

    private func close(_ connection: Connection) {
        epoll.remove(connection.descriptor)
        connections[connection.descriptor] = nil  // the descriptor closes with the connection
    }

    /// Connections past their deadline: a reading one is told 408 (if it
    /// takes it at once) and closed; a writing one is closed.
    private func expire(_ now: ContinuousClock.Instant) {
        for connection in connections.values where connection.deadline <= now {
            if connection.answer == nil {
                let late = HTTPListener.bytes(of: HTTPListener.Response(status: 408, body: "the request took longer than \(limits.requestDeadline.goSpelling)\n"),
                                              withBody: true)
                _ = late.withUnsafeBytes { try? Syscall.send(descriptor: connection.descriptor, bytes: $0) }
            }
            close(connection)
        }
    }
}
