import CHiredis
import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `-dest valkey:` (and `redis:`): what `valkey:` does with each envelope.
public struct ValkeySettings: Sendable, Equatable {
    /// `-valkeyStream`: XADD to the stream `-topic`, capped at about
    /// `streamMaxLength` entries, rather than PUBLISH to the channel.
    public var stream = false
    /// `-valkeyStreamMaxLen`: `MAXLEN ~ N` of each XADD.
    public var streamMaxLength = 100_000
    public init() {}
}

/// Envelopes to a Valkey or Redis server through hiredis, one command per
/// envelope on one connection: PUBLISH to the channel `-topic` (as xtcp2
/// does: subscribers that are not connected miss it), or with
/// `-valkeyStream` XADD to the stream `-topic` (`MAXLEN ~ N`), which a
/// consumer reads at its own pace and after a restart. An envelope is
/// delivered when the server's reply says it took it; an error reply is a
/// write error; no connection, or one that failed, drops it as
/// `unreachable`, and a new connection is tried before an envelope no
/// sooner than the backoff (0.5 s doubling to 3 s, jittered). Each command
/// waits for its reply no longer than the poll's deadline (at most
/// `patience`).
public final class ValkeyDestination: Destination, @unchecked Sendable {  // every var is touched under `writing`
    let name: String
    private let host: String
    private let port: UInt16
    private let key: String
    private let settings: ValkeySettings
    private let patience: Duration
    private let writing = Mutex(())
    /// hiredis's connection; nil while there is none.
    private var context: UnsafeMutablePointer<redisContext>?
    private var peerState: Reconnection
    /// The command's words but the envelope: PUBLISH KEY, or XADD KEY
    /// MAXLEN ~ N * envelope.
    private let words: [String]

    init(name: String, host: String, port: UInt16, key: String, settings: ValkeySettings, patience: Duration) {
        self.name = name
        self.host = host
        self.port = port
        self.key = key
        self.settings = settings
        self.patience = patience
        peerState = Reconnection(name: name)
        words = settings.stream ? ["XADD", key, "MAXLEN", "~", "\(settings.streamMaxLength)", "*", "envelope"] : ["PUBLISH", key]
        writing.withLock { _ in _ = connect() }
    }

    deinit { if let context { redisFree(context) } }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try write(batch, rows: rows, by: nil)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try writing.withLock { _ in
            if context == nil, peerState.isDue { _ = connect() }
            guard let context else { throw peerState.notConnected }
            redisSetTimeout(context, Self.timeval(Reconnection.wait(until: deadline, atMost: patience)))
            guard let reply = command(context, batch) else {
                let why = context.pointee.err == REDIS_ERR_IO ? Errno.describe(errno) : Self.text(of: context)
                disconnect(because: why)
                throw DestinationDrop(reason: .unreachable, detail: "\(name): no reply (\(why))")
            }
            defer { freeReplyObject(reply) }
            if reply.pointee.type == REDIS_REPLY_ERROR {
                let text = String(cString: reply.pointee.str)
                throw DestinationError(what: "\(name): \(words[0]) refused: \(text)", errno: 0)
            }
            return .delivered
        }
    }

    /// The command with the envelope as its last argument; its reply, nil
    /// when the connection failed. Under `writing`.
    private func command(_ context: UnsafeMutablePointer<redisContext>, _ batch: UnsafeRawBufferPointer) -> UnsafeMutablePointer<redisReply>? {
        // Safe: each pointer lives through the call (the words are
        // NUL-terminated copies made by withCString; the envelope is the
        // caller's buffer), and hiredis copies them into its output buffer.
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        func call(_ index: Int) -> UnsafeMutableRawPointer? {
            guard index < words.count else {
                pointers.append(batch.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) })
                lengths.append(batch.count)
                return redisCommandArgv(context, Int32(pointers.count), &pointers, lengths)
            }
            return words[index].withCString { word in
                pointers.append(word)
                lengths.append(strlen(word))
                return call(index + 1)
            }
        }
        return call(0)?.assumingMemoryBound(to: redisReply.self)
    }

    /// Connects; whether it did. Under `writing`.
    private func connect() -> Bool {
        guard let made = redisConnectWithTimeout(host, Int32(port), Self.timeval(.seconds(1))) else {
            peerState.connectFailed("cannot allocate a connection")
            return false
        }
        guard made.pointee.err == 0 else {
            peerState.connectFailed(Self.text(of: made))
            redisFree(made)
            return false
        }
        context = made
        peerState.connected()
        return true
    }

    private func disconnect(because why: String) {
        if let context { redisFree(context) }
        context = nil
        peerState.ended(why)
    }

    private static func text(of context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    public var metrics: [MetricFamily] {
        writing.withLock { _ in peerState.metrics(scheme: String(name.prefix { $0 != ":" })) }
    }

    public var unready: String? {
        writing.withLock { _ in peerState.unready }
    }

    public func takeProblems() -> [String] {
        writing.withLock { _ in peerState.takeProblems() }
    }

    public func close() throws {
        writing.withLock { _ in
            if let context { redisFree(context) }
            context = nil
        }
    }
}
