import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Batches written in order on one stream connection: `tcp:HOST:PORT` or
/// `unix:PATH`. A protobufList batch is already framed as xtcp2's stream
/// sinks frame each envelope (`uvarint(len) + envelope`); a text batch is
/// whole lines. The connection is written as a `PacedStream` (a slow peer
/// never holds a poll past its deadline, and the stream stays whole
/// batches); when the peer goes (EPIPE, ECONNRESET, a refused connect) the
/// batches are dropped as `unreachable` and a new connection is tried
/// before a batch no sooner than the backoff says (0.5 s doubling to 3 s,
/// jittered), so a peer down costs one connect attempt per backoff, not
/// one per batch. A half-written batch of the old connection is dropped
/// with it; the next connection begins at a batch's start.
///
/// Delivery is counted as Kafka's is, late: a batch written is `queued`,
/// and counted delivered only once the peer has taken all of it (the
/// socket's send queue, SIOCOUTQ, has shrunk past its end: for TCP, the
/// peer's kernel acknowledged it). Batches still in the queue when the
/// connection ends are dropped (`unreachable`), and at close after
/// `patience` (`shutdown`): a peer that vanishes never leaves "delivered"
/// what it did not take.
public final class StreamDestination: Destination, @unchecked Sendable {  // every var is touched under `writing`
    public enum Peer: Sendable {
        case tcp(ResolvedAddress)
        case unix(UnixSocketAddress)
    }

    let name: String
    private let peer: Peer
    private let patience: Duration
    private let connectTimeout: Duration
    /// Written at each connection's start, before its first batch (csv's header).
    private let header: [UInt8]
    private var headerPending = false
    private let writing = Mutex(())
    private var connection: FileDescriptor?
    private var paced: PacedStream?
    /// Short backoff: a collector back is written to within a few seconds.
    private var peerState: Reconnection
    /// Bytes handed to this connection, and the end offset and rows of
    /// each batch its peer has not yet taken all of, oldest first.
    private var sent = 0
    private var unacknowledged: [(end: Int, rows: Int)] = []
    /// Late verdicts on queued batches not yet taken.
    private var late = DeliveryCounts()

    init(name: String, peer: Peer, patience: Duration = .seconds(10), connectTimeout: Duration = .seconds(1), header: [UInt8] = []) {
        self.name = name
        self.peer = peer
        self.patience = patience
        self.header = header
        self.connectTimeout = connectTimeout
        peerState = Reconnection(name: name)
        writing.withLock { _ in _ = connect() }
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try write(batch, rows: rows, by: nil)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try writing.withLock { _ in
            if paced == nil, peerState.isDue { _ = connect() }
            guard paced != nil else { throw peerState.notConnected }
            do {
                if headerPending, !header.isEmpty {
                    // Once per connection: the copy costs nothing that matters.
                    try (header + UnsafeRawBufferPointer(batch)).withUnsafeBytes { try send($0, rows: rows, by: deadline) }
                    headerPending = false
                } else {
                    try send(batch, rows: rows, by: deadline)
                }
                return .queued
            } catch let error as DestinationError where Self.peerGone(error.errno) {
                disconnect(because: "\(Errno.describe(error.errno))")
                throw DestinationDrop(reason: .unreachable, detail: "\(name): the peer has gone (\(Errno.describe(error.errno)))")
            }
        }
    }

    /// Whole or its end held back to be written first: either way the
    /// batch's bytes go out next, in order. Under `writing`.
    private func send(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws {
        _ = try paced!.write(batch, rows: rows, by: deadline)
        sent += batch.count
        unacknowledged.append((sent, rows))
        settle()
    }

    /// The errors after which the connection is no use.
    private static func peerGone(_ errno: Int32) -> Bool {
        [EPIPE, ECONNRESET, ECONNABORTED, ENOTCONN, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNREFUSED].contains(errno)
    }

    /// Connects; whether it did. Under `writing`.
    private func connect() -> Bool {
        do {
            let socket: FileDescriptor
            switch peer {
            case .tcp(let address):
                socket = try address.socket(type: Int32(SOCK_STREAM.rawValue))
                // SO_SNDTIMEO bounds connect(2) too: an address that drops
                // SYNs costs one timeout, not the kernel's minutes.
                try Syscall.setTimeout(descriptor: socket.rawValue, option: SO_SNDTIMEO, connectTimeout)
                try address.connect(socket)
                try Syscall.setsockopt(descriptor: socket.rawValue, level: Int32(IPPROTO_TCP), option: TCP_NODELAY, value: Int32(1), name: "TCP_NODELAY")
            case .unix(let address):
                socket = try address.connectStream(timeout: connectTimeout)
            }
            paced = PacedStream(name: name, descriptor: socket.rawValue, method: .send, patience: patience)
            connection = consume socket
            headerPending = true
            peerState.connected()
            return true
        } catch {
            peerState.connectFailed(Errno.describe(error.errno))
            return false
        }
    }

    /// Counts delivered the batches the peer has taken whole. Under `writing`.
    private func settle() {
        guard let descriptor = connection?.rawValue, !unacknowledged.isEmpty,
              let queued = try? Syscall.sendQueueBytes(descriptor: descriptor) else { return }
        let taken = sent - queued
        let done = unacknowledged.prefix { $0.end <= taken }.count
        late.delivered += UInt64(done)
        unacknowledged.removeFirst(done)
    }

    /// Drops, counted with `reason`, every batch the peer has not taken.
    private func dropUnacknowledged(_ reason: DropReason) {
        for batch in unacknowledged { late.dropped(reason, rows: batch.rows) }
        unacknowledged.removeAll()
        sent = 0
    }

    /// Lets the connection go, what its peer had not taken counted dropped.
    private func disconnect(because why: String) {
        settle()
        // The stream's own late counts are not ours: every batch is in
        // `unacknowledged` until its peer took it.
        _ = paced?.takeLate()
        dropUnacknowledged(.unreachable)
        paced = nil
        connection = nil
        peerState.ended(why)
    }

    /// Batches written that the peer has not yet taken all of.
    public var unsettledBatches: Int {
        writing.withLock { _ in
            settle()
            return unacknowledged.count
        }
    }

    public var metrics: [MetricFamily] {
        writing.withLock { _ in
            let scheme: String
            switch peer {
            case .tcp: scheme = "tcp"
            case .unix: scheme = "unix"
            }
            return peerState.metrics(scheme: scheme) + [
                MetricFamily(name: "xtcp_destination_unsettled_batches", kind: .gauge,
                             help: "Batches written that the peer has not yet taken all of (still in the socket's send queue).",
                             samples: [.init(labels: [(name: "dest", value: scheme)], value: Double(unacknowledged.count))]),
            ]
        }
    }

    public var unready: String? {
        writing.withLock { _ in peerState.unready }
    }

    public func takeLateCounts() -> DeliveryCounts {
        writing.withLock { _ in
            settle()
            _ = paced?.takeLate()
            defer { late = DeliveryCounts() }
            return late
        }
    }

    public func takeProblems() -> [String] {
        writing.withLock { _ in peerState.takeProblems() }
    }

    /// Finishes a half-written batch, then waits up to `patience` for the
    /// peer to take what is queued; the rest is dropped (`shutdown`).
    public func close() throws {
        writing.withLock { _ in
            paced?.finish()
            _ = paced?.takeLate()
            let end = ContinuousClock.now + patience
            settle()
            while !unacknowledged.isEmpty, ContinuousClock.now < end {
                Syscall.sleep(.milliseconds(10))
                settle()
            }
            dropUnacknowledged(.shutdown)
            paced = nil
            connection = nil
        }
    }
}
