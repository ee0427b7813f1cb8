import RecordFmt
import Synchronization

/// The records of every poll, and close events, for live subscribers (the
/// gRPC record stream): each envelope a dump session flushes is copied,
/// as encoded, into the queue of every client that takes it, and the
/// client's own task sends it on. Nothing here waits: a client whose queue
/// is full loses the envelope (counted for it), and a netlinker goes on.
///
/// A client takes the polls that begin after it subscribed (never half a
/// poll), or only the polls it asked for (`PollFlatRecords`). The poll
/// loop says when each poll begins and ends; the end is a marker in each
/// taking client's queue, after the poll's last envelope.
public final class RecordStream: Sendable {
    /// Where an envelope comes from.
    public enum Source: Sendable { case poll, closeEvents }

    private struct State {
        var clients: [RecordStreamClient] = []
        /// The poll whose dumps are running, if one is.
        var pollInFlight: UInt64?
    }

    private let state = Mutex(State())
    /// Read per flush and per dump by the sessions: a bool, not the lock.
    private let anyClients = Atomic<Bool>(false)

    public init() {}

    /// Whether any client is subscribed: a session encodes for the stream
    /// only then.
    public var hasClients: Bool { anyClients.load(ordering: .relaxed) }

    /// A new client queue of at most `queueBytes` bytes of envelopes.
    /// `everyPoll`: the polls that begin from now on, and close events;
    /// otherwise only the polls given to `include(_:poll:)`.
    public func subscribe(name: String, queueBytes: Int, everyPoll: Bool) -> RecordStreamClient {
        let client = RecordStreamClient(name: name, queueBytes: queueBytes, everyPoll: everyPoll)
        state.withLock { state in
            // A poll already in flight is not the client's: it would see
            // only its later dumps.
            client.takesFrom(poll: (state.pollInFlight ?? 0) &+ 1)
            state.clients.append(client)
            anyClients.store(true, ordering: .relaxed)
        }
        return client
    }

    /// The client is gone: its queue is emptied and nothing more is copied.
    public func unsubscribe(_ client: RecordStreamClient) {
        client.finish()
        state.withLock { state in
            state.clients.removeAll { $0 === client }
            anyClients.store(!state.clients.isEmpty, ordering: .relaxed)
        }
    }

    /// `poll` (a `PollFlatRecords` client's) goes to `client` too; called
    /// before the poll begins.
    public func include(_ client: RecordStreamClient, poll: UInt64) { client.include(poll: poll) }

    /// The poll loop: `poll`'s dumps begin now.
    public func pollBegan(_ poll: UInt64) { state.withLock { $0.pollInFlight = poll } }

    /// The poll loop: `poll`'s dumps are over, every envelope flushed.
    public func pollEnded(_ poll: UInt64) {
        let clients = state.withLock { state in
            state.pollInFlight = nil
            return state.clients
        }
        for client in clients { client.endPoll(poll) }
    }

    /// A dump session's flushed envelope, `frame` as ProtobufList frames it
    /// (`uvarint(length) + Envelope`), of `rows` rows: copied to each client
    /// that takes it.
    public func publish(frame: UnsafeRawBufferPointer, rows: Int, from source: Source) {
        let (clients, poll) = state.withLock { ($0.clients, $0.pollInFlight) }
        guard !clients.isEmpty else { return }
        let envelope = EnvelopeBuilder.envelope(inFrame: frame)
        for client in clients {
            switch source {
            case .poll: if let poll { client.offer(envelope, rows: rows, poll: poll) }
            case .closeEvents: client.offerCloseEvents(envelope, rows: rows)
            }
        }
    }
}
