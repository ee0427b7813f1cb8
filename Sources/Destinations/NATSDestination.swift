import CNats
import Platform
import Synchronization

/// Envelopes to NATS through the NATS C client: each published to the
/// subject `-topic`. libnats keeps the connection and reconnects itself
/// (every 0.5 s, jittered by up to 0.5 s, for ever); while it is not
/// connected nothing is handed to it (its reconnect buffer would send
/// later what was already counted) and envelopes are dropped `unreachable`.
///
/// Core NATS, as xtcp2: an envelope is delivered once the server has
/// answered a PING sent after it (a flush), so it reached the server;
/// subscribers not connected miss it. With `-natsJetStream`, it is
/// published to JetStream and delivered only on the stream's ack (as
/// Kafka's delivery reports): no ack within the poll's deadline is
/// `unconfirmed` (the stream may have stored it), no stream on the subject
/// is `delivery failed`.
public final class NATSDestination: Destination, @unchecked Sendable {  // every var is touched under `writing`
    let name: String
    private let subject: String
    private let patience: Duration
    private let writing = Mutex(())
    private let connection: OpaquePointer
    private let jetStream: OpaquePointer?
    private var peerState: Reconnection

    init(url: String, name: String, subject: String, jetStream useJetStream: Bool, patience: Duration) throws(DestinationUnavailable) {
        self.name = name
        self.subject = subject
        self.patience = patience
        peerState = Reconnection(name: name)
        var options: OpaquePointer?
        guard natsOptions_Create(&options) == NATS_OK, let options else {
            throw DestinationUnavailable(description: "-dest \(name): libnats could not make its options")
        }
        defer { natsOptions_Destroy(options) }
        natsOptions_SetURL(options, url)
        natsOptions_SetAllowReconnect(options, true)
        natsOptions_SetMaxReconnect(options, -1)
        natsOptions_SetReconnectWait(options, 500)
        natsOptions_SetReconnectJitter(options, 500, 1000)
        natsOptions_SetTimeout(options, 1000)
        // Down at start: connected in the background, as it comes up. The
        // callback is what makes the connect asynchronous: without one,
        // libnats retries inside natsConnection_Connect, for ever here.
        natsOptions_SetRetryOnFailedConnect(options, true, { _, _ in }, nil)
        var made: OpaquePointer?
        let status = natsConnection_Connect(&made, options)
        guard status == NATS_OK || status == NATS_NOT_YET_CONNECTED, let made else {
            throw DestinationUnavailable(description: "-dest \(name): \(String(cString: natsStatus_GetText(status)))")
        }
        connection = made
        if useJetStream {
            var context: OpaquePointer?
            guard natsConnection_JetStream(&context, made, nil) == NATS_OK, let context else {
                natsConnection_Destroy(made)
                throw DestinationUnavailable(description: "-dest \(name): libnats could not make a JetStream context")
            }
            jetStream = context
        } else {
            jetStream = nil
        }
    }

    deinit {
        if let jetStream { jsCtx_Destroy(jetStream) }
        natsConnection_Destroy(connection)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try write(batch, rows: rows, by: nil)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try writing.withLock { _ in
            guard natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED else {
                if peerState.down == nil { peerState.ended("not connected") }
                throw DestinationDrop(reason: .unreachable, detail: "\(name): not connected; libnats reconnects every 0.5 s")
            }
            peerState.answered()
            let wait = Reconnection.wait(until: deadline, atMost: patience)
            let milliseconds = Int64(wait.roundedMilliseconds)
            if let jetStream { return try publishJetStream(jetStream, batch, within: milliseconds) }
            var status = natsConnection_Publish(connection, subject, batch.baseAddress, Int32(batch.count))
            if status == NATS_OK { status = natsConnection_FlushTimeout(connection, milliseconds) }
            guard status == NATS_OK else {
                throw DestinationDrop(reason: .unreachable, detail: "\(name): \(String(cString: natsStatus_GetText(status)))")
            }
            return .delivered
        }
    }

    private func publishJetStream(_ context: OpaquePointer, _ batch: UnsafeRawBufferPointer, within milliseconds: Int64) throws -> WriteOutcome {
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        options.MaxWait = milliseconds
        var ack: UnsafeMutablePointer<jsPubAck>?
        var code = jsErrCode(0)
        let status = js_Publish(&ack, context, subject, batch.baseAddress, Int32(batch.count), &options, &code)
        if let ack { jsPubAck_Destroy(ack) }
        switch status {
        case NATS_OK: return .delivered
        case NATS_TIMEOUT:
            throw DestinationDrop(reason: .unconfirmed, detail: "\(name): no JetStream ack within \(milliseconds) ms")
        case NATS_NO_RESPONDERS:
            throw DestinationDrop(reason: .deliveryFailed, detail: "\(name): no JetStream stream takes the subject \(subject)")
        default:
            let text = String(cString: natsStatus_GetText(status))
            throw DestinationDrop(reason: .deliveryFailed, detail: "\(name): JetStream: \(text)\(code.rawValue != 0 ? " (error \(code.rawValue))" : "")")
        }
    }

    public var metrics: [MetricFamily] { writing.withLock { _ in peerState.metrics(scheme: "nats") } }

    public var unready: String? { writing.withLock { _ in peerState.unready } }

    public func takeProblems() -> [String] { writing.withLock { _ in peerState.takeProblems() } }

    public func close() throws {
        // What was published is flushed (or given up) within patience.
        _ = natsConnection_FlushTimeout(connection, Int64(patience.roundedMilliseconds))
    }
}
