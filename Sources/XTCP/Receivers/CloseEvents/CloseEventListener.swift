import Destinations
import Netlink
import Platform
import RecordFmt
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `-closeEvents`: the last state of every TCP socket the kernel destroys,
/// in every polled namespace, as a record of kind CLOSE. Connections shorter
/// than a poll interval, and the last bytes of long ones, are not missed.
///
/// In each namespace a sock_diag socket joins the TCP destroy multicast
/// groups; the kernel sends one message per socket it frees (its
/// inet_diag_msg and tcp_info). One thread, `xtcp-close`, waits on all of
/// them with epoll and reads bursts with recvmmsg into a dump session of
/// its own, which decodes, applies `-filter` (multicast is not filtered by
/// the kernel) and batches them as it does any dump. A receive queue that
/// overflows loses messages: each overflow (ENOBUFS) and every message lost
/// (the socket's SO_MEMINFO drop count) is counted. The receive buffer
/// (`-closeEventsBuffer`) is what absorbs a burst while the thread is busy.
///
/// Subscriptions follow the polled namespaces (`update`), made on the
/// caller's thread, so a namespace's events are heard from the reconcile
/// that finds it on. Records go to the destination in envelopes of their
/// own, at most a second after their event.
final class CloseEventListener: @unchecked Sendable {  // its listening state is touched by its thread only; the rest is behind Mutexes
    final class Subscription: @unchecked Sendable {  // used by the listening thread only, once subscribed
        /// The namespace's event stream: its socket, the per-poll fields of
        /// its records (identity, namespace, kind) and its decoder.
        let events: DumpJob
        /// The socket's drop count when last read.
        var dropsSeen: UInt32 = 0

        init(events: DumpJob) { self.events = events }
    }

    let config: DaemonConfig
    private let epoll: Epoll
    private let session: DumpSession
    /// token → subscription; namespace inode → token; the subscriptions of
    /// namespaces let go, to be read one last time by the listening thread.
    private let subscriptions = Mutex<(byToken: [UInt64: Subscription], byInode: [UInt64: UInt64], leaving: [Subscription], next: UInt64)>(([:], [:], [], 1))
    /// Counts since the last `take`, and problems to report.
    private let pending = Mutex<(counts: PollCounts, problems: [String])>((PollCounts(), []))
    private let stopping = Atomic<Bool>(false)
    private var thread: OSThread?

    // The listening thread's own.
    private static let slot = 2048
    private static let batch = 64
    private static let batchesPerTurn = 64
    private let buffer: UnsafeMutableRawBufferPointer
    private let lengths: UnsafeMutableBufferPointer<UInt32>
    private let truncated: UnsafeMutableBufferPointer<UInt8>

    /// Opens a namespace's subscription: a socket that has joined the TCP
    /// destroy groups (the kernel's; a fake kernel's in the in-process tests).
    private let subscribe: @Sendable (PolledNamespace) throws -> NetlinkSocket

    init(config: DaemonConfig, destination: any Destination, names: (any ContainerNames)? = nil, stream: RecordStream? = nil,
         subscribe: @escaping @Sendable (PolledNamespace) throws -> NetlinkSocket = CloseEventListener.kernelSubscription) throws {
        self.config = config
        self.subscribe = subscribe
        epoll = try Epoll()
        session = DumpSession(netlinker: 0, config: config, destination: destination, selection: RowSelection(filter: config.filter),
                               owners: CgroupIndex(enabled: config, names: names), stream: stream, streamSource: .closeEvents)
        buffer = .allocate(byteCount: Self.slot * Self.batch, alignment: 16)
        lengths = .allocate(capacity: Self.batch)
        truncated = .allocate(capacity: Self.batch)
    }

    deinit {
        buffer.deallocate()
        lengths.deallocate()
        truncated.deallocate()
    }

    func start() throws {
        thread = try OSThread(name: "xtcp-close") { [self] in listen() }
    }

    /// Reads what is left, flushes it and ends the thread.
    func stop() {
        stopping.store(true, ordering: .releasing)
        thread?.join()
        thread = nil
    }

    /// Follows a reconcile: subscribes in the namespaces added, leaves the
    /// ones removed. Returns why a namespace could not be subscribed.
    ///
    /// A namespace let go can still have events queued: often the last
    /// closes of a container that has just ended. Its socket (which holds
    /// the namespace alive) goes to the listening thread, which reads it
    /// once more before closing it, so those are heard or counted lost.
    func update(_ change: NamespaceChange) -> [String] {
        var failed: [String] = []
        for namespace in change.removed {
            let gone = subscriptions.withLock { state -> Subscription? in
                guard let token = state.byInode.removeValue(forKey: namespace.inode),
                      let gone = state.byToken.removeValue(forKey: token) else { return nil }
                state.leaving.append(gone)
                return gone
            }
            if let gone, let socket = gone.events.socket { epoll.remove(socket.fileDescriptor) }
        }
        for namespace in change.added {
            do {
                let socket = try subscribe(namespace)
                try socket.setNonBlocking()
                socket.setReceiveBuffer(bytes: Int32(config.closeEventsBuffer))
                var identity = FlatRecord()
                config.identity.stamp(&identity)
                let events = DumpJob(namespace: namespace, shard: nil, attributes: config.attributes)
                events.socket = socket
                session.begin(events, stamp: PollStamp(poll: identity, namespace: namespace, netlinker: 0,
                                                       socket: socket.fileDescriptor, kind: .close))
                let subscription = Subscription(events: events)
                let token = subscriptions.withLock { state -> UInt64 in
                    let token = state.next
                    state.next += 1
                    state.byToken[token] = subscription
                    state.byInode[namespace.inode] = token
                    return token
                }
                try epoll.add(socket.fileDescriptor, token: token)
            } catch let error as SystemError where error.namespaceVanished {
                continue  // gone already: the next reconcile drops it
            } catch {
                failed.append("close events in \(namespace.name): \(error)")
            }
        }
        return failed
    }

    /// A sock_diag socket in the namespace that has joined the TCP destroy
    /// multicast groups.
    static func kernelSubscription(_ namespace: PolledNamespace) throws -> NetlinkSocket {
        let socket = try KernelSockets().open(namespace)
        for group in NetlinkSocket.tcpDestroyGroups { try socket.join(group: group) }
        return socket
    }

    /// Namespaces subscribed.
    var count: Int { subscriptions.withLock { $0.byToken.count } }

    /// The counts since the last call (close events, losses, and the
    /// envelopes of their records), and the problems met.
    func take() -> (counts: PollCounts, problems: [String]) {
        pending.withLock { state in
            defer { state = (PollCounts(), []) }
            return state
        }
    }

    // MARK: - The listening thread

    private func listen() {
        let clock = ContinuousClock()
        var lastFlush = clock.now
        var ready: [UInt64] = []
        ready.reserveCapacity(64)
        while !stopping.load(ordering: .acquiring) {
            ready.removeAll(keepingCapacity: true)
            let count = epoll.wait(milliseconds: 200) { ready.append($0) }
            for token in ready {
                if let subscription = subscriptions.withLock({ $0.byToken[token] }) { drain(subscription) }
            }
            drainLeaving()
            // Idle, or a second since the last envelope: send what is held.
            if count == 0 || clock.now - lastFlush >= .seconds(1) {
                flush()
                lastFlush = clock.now
            }
        }
        // Shutdown: whatever the kernel has queued, then the last envelope.
        for subscription in subscriptions.withLock({ Array($0.byToken.values) }) { drain(subscription) }
        drainLeaving()
        flush()
    }

    /// Reads the subscriptions of namespaces let go one last time; they
    /// close their sockets as they are dropped here.
    private func drainLeaving() {
        let leaving = subscriptions.withLock { state -> [Subscription] in
            defer { state.leaving.removeAll() }
            return state.leaving
        }
        // Everything queued, and no more: a namespace let go while still
        // busy (held by a process the reconcile cannot see) must not keep
        // the thread. The kernel doubles the buffer asked for, and every
        // queued message takes more than 256 bytes of it.
        let turns = 2 * config.closeEventsBuffer / 256 / (Self.batch * Self.batchesPerTurn) + 1
        for subscription in leaving {
            var turn = 1
            while drain(subscription) && turn < turns { turn += 1 }
        }
    }

    /// Reads the messages waiting on one subscription's socket, at most
    /// `batchesPerTurn` batches: a namespace closing sockets without pause
    /// must not keep the others' queues from being read (epoll reports a
    /// socket with more to read again at once). True if it stopped at that
    /// bound with more perhaps left.
    @discardableResult
    private func drain(_ subscription: Subscription) -> Bool {
        let events = subscription.events
        guard let socket = events.socket else { return false }
        var more = true
        var overflows: UInt64 = 0
        var problem: String?
        events.decoder.stats = DecodeStats()
        reading: for _ in 0..<Self.batchesPerTurn {
            let batch: NetlinkSocket.Batch
            do {
                batch = try socket.receiveBatch(into: buffer, slot: Self.slot, lengths: lengths, truncated: truncated)
            } catch {
                problem = "close events in \(events.namespace.name): \(error)"
                more = false
                break reading
            }
            switch batch {
            case .empty:
                more = false
                break reading
            case .overflowed: overflows += 1
            case .datagrams(let count):
                // The batch's common fields (identity, namespace, the time
                // it was read) encoded once for its rows.
                session.retime(events, nanoseconds: WallClock.nanoseconds())
                for index in 0..<count {
                    if truncated[index] != 0 {
                        events.decoder.stats.truncatedMessages &+= 1
                        continue
                    }
                    session.receiveEvents(UnsafeRawBufferPointer(rebasing: buffer[index * Self.slot ..< index * Self.slot + Int(lengths[index])]),
                                          from: events)
                }
            }
        }
        var stats = events.decoder.stats
        var closes = CloseCounts()
        closes.events = stats.sockets
        stats.sockets = 0
        let drops = socket.droppedMessages ?? 0
        closes.lost = UInt64(drops &- subscription.dropsSeen)
        subscription.dropsSeen = drops
        closes.overflows = overflows
        pending.withLock { state in
            state.counts.closes += closes
            state.counts.dumps.decode += stats
            if let problem { state.problems.append(problem) }
        }
        return more
    }

    private func flush() {
        session.refreshOwnerNames()
        let (counts, problems) = session.endPoll()
        guard counts != PollCounts() || !problems.isEmpty else { return }
        pending.withLock { state in
            state.counts += counts
            state.problems += problems.map { "close events: \($0)" }
        }
    }
}
