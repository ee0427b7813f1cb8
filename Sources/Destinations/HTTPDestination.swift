import CCurl
import Platform
import Synchronization

/// What `http://` and `https://` destinations are opened with.
public struct HTTPSettings: Sendable, Equatable {
    /// The marshaller's media type, sent as Content-Type.
    public var contentType = "application/octet-stream"
    /// `-httpCAFile`: the certificates a server's is checked against, in
    /// place of the system's (a private CA); nil: the system's.
    public var caFile: String?
    public init() {}
}

/// One POST per envelope through libcurl (TLS, proxies from the usual
/// variables, keep-alive: the connection is reused while the server keeps
/// it open). An envelope is delivered when the server answers 2xx; any
/// other status drops it (`delivery failed`, the status in the line); no
/// answer (refused, reset, timed out) drops it as `unreachable`, and no
/// request is tried again before the backoff (0.5 s doubling to 3 s,
/// jittered) says. Each request waits no later than the poll's deadline
/// (at most `patience`). One request at a time, under the lock: the
/// netlinkers take turns.
public final class HTTPDestination: Destination, @unchecked Sendable {  // every var is touched under `writing`
    let name: String
    private let patience: Duration
    private let writing = Mutex(())
    private let handle: UnsafeMutableRawPointer
    private var peerState: Reconnection
    /// Statuses of the envelopes refused, by class (4xx, 5xx, …), for /metrics.
    private var refusedByClass: [String: Int] = [:]

    init(url: String, name: String, settings: HTTPSettings, patience: Duration) throws(DestinationUnavailable) {
        self.name = name
        self.patience = patience
        peerState = Reconnection(name: name)
        guard xtcp_curl_global_init() == 0, let handle = xtcp_curl_open(url, settings.contentType, settings.caFile, 1000) else {
            throw DestinationUnavailable(description: "-dest \(name): libcurl could not make a handle")
        }
        self.handle = handle
    }

    deinit { xtcp_curl_close(handle) }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try write(batch, rows: rows, by: nil)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try writing.withLock { _ in
            if peerState.down != nil, !peerState.isDue { throw peerState.notConnected }
            let wait = Reconnection.wait(until: deadline, atMost: patience)
            var status = 0
            var error = [CChar](repeating: 0, count: 256)
            let code = xtcp_curl_post(handle, batch.baseAddress!, batch.count, wait.roundedMilliseconds, &status, &error, error.count)
            guard code == 0 else {
                let why = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                peerState.unanswered(why)
                throw DestinationDrop(reason: .unreachable, detail: "\(name): no answer (\(why))")
            }
            peerState.answered()
            guard (200..<300).contains(status) else {
                refusedByClass["\(status / 100)xx", default: 0] += 1
                throw DestinationDrop(reason: .deliveryFailed, detail: "\(name): HTTP \(status)")
            }
            return .delivered
        }
    }

    public var metrics: [MetricFamily] {
        writing.withLock { _ in
            let scheme = String(name.prefix { $0 != ":" })
            return peerState.metrics(scheme: scheme) + [
                MetricFamily(name: "xtcp_destination_http_refused_total", kind: .counter,
                             help: "Envelopes the HTTP server answered with a status other than 2xx, by status class.",
                             samples: refusedByClass.keys.sorted().map { .init(labels: [("dest", scheme), ("class", $0)], value: Double(refusedByClass[$0]!)) }),
            ]
        }
    }

    public var unready: String? { writing.withLock { _ in peerState.unready } }

    public func takeProblems() -> [String] { writing.withLock { _ in peerState.takeProblems() } }

    public func close() throws {}
}
