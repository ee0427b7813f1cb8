import Dispatch
import Netlink
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// One OS thread that, at each poll, dumps its shards of one namespace,
/// each on its own netlink socket, decoding straight from its own receive
/// buffer into its own record and envelope. Nothing on its path is shared
/// but the destination's write.
final class Netlinker: @unchecked Sendable {  // its state is touched by its thread only, between semaphores
    let id: Int
    let namespace: PolledNamespace
    let shards: [DumpShard]
    let config: DaemonConfig
    let pipeline: BatchPipeline

    private var sockets: [NetlinkSocket?]
    /// `-changesOnly`: what was last sent, per shard (empty otherwise).
    private var changes: [ChangeTable]
    private let buffer: UnsafeMutableRawBufferPointer
    private var record = FlatRecord()
    private var recordCounter: UInt64 = 0
    private var requestSequence: UInt32

    private let worker: PollWorker
    /// This poll's counts; read by the poller after `finished` is signalled.
    private(set) var counts = PollCounts()
    private(set) var lastProblem: String?

    init(id: Int, namespace: PolledNamespace, shards: [DumpShard], config: DaemonConfig,
         destination: any Destination, finished: DispatchSemaphore) {
        self.id = id
        self.namespace = namespace
        self.shards = shards
        self.config = config
        worker = PollWorker(finished: finished)
        sockets = Array(repeating: nil, count: shards.count)
        changes = config.changesOnly ? shards.map { _ in ChangeTable(rttPercent: config.changesRttPercent) } : []
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: config.packetSize, alignment: 4096)
        requestSequence = UInt32(truncatingIfNeeded: id &* 1_000_000 &+ Int(time(nil) & 0xFFFF))
        pipeline = BatchPipeline(
            marshaller: config.marshal.makeMarshaller(initialCapacity: config.envelopeCapacity),
            destination: destination, flushRows: config.envelopeFlushRows, flushBytes: config.envelopeFlushBytes)
    }

    deinit { buffer.deallocate() }

    func startThread() throws {
        try worker.launch(name: "xtcp-nl-\(id)") { [self] ticket in
            counts = PollCounts()
            lastProblem = nil
            poll(ticket)
        }
    }

    /// Starts a poll; `finished` is signalled when it is done.
    func begin(_ ticket: PollTicket) { worker.begin(ticket) }

    /// Ends the thread after the poll in progress, if any.
    func stop() {
        worker.stop()
        sockets = sockets.map { _ in nil }
    }

    private func poll(_ ticket: PollTicket) {
        record.copyPollFields(from: ticket.template)
        record.netlinkerId = UInt64(id)
        var timedOut = false
        for index in shards.indices {
            guard ContinuousClock.now < ticket.deadline else {
                counts.dumps += 1
                counts.dumpsTimedOut += 1
                timedOut = true
                continue
            }
            timedOut = !dump(shard: index, deadline: ticket.deadline, poll: ticket.template.pollSequence) || timedOut
        }
        let (flushed, writeError) = pipeline.endPoll(timedOut: timedOut)
        counts += flushed
        if let writeError { lastProblem = "write to \(config.destination): \(writeError)" }
    }

    /// One shard's dump. Returns false when it ended incomplete for lack of
    /// time (stalled or past the deadline).
    private func dump(shard index: Int, deadline: ContinuousClock.Instant, poll: UInt64) -> Bool {
        counts.dumps += 1
        let socket: NetlinkSocket
        do {
            socket = try sockets[index] ?? openSocket()
            sockets[index] = socket
        } catch {
            if counts.socketFailed(error) { lastProblem = "netlink socket in \(namespace.name): \(error)" }
            return true
        }
        requestSequence &+= 1
        let request = shards[index].request(attributes: config.attributes, sequence: requestSequence)
        record.socketFd = UInt64(socket.fileDescriptor)
        // -changesOnly: the shard's table, moved out for the dump (a copy
        // would duplicate its storage on the first write).
        let tracking = config.changesOnly
        var table = ChangeTable(rttPercent: 0)
        if tracking { swap(&table, &changes[index]) }
        defer { if tracking { swap(&table, &changes[index]) } }
        let full = tracking ? table.begin(snapshot: config.isFullSnapshot(poll: poll)) : true
        record.recordKind = full ? .poll : .change
        var unchanged: UInt64 = 0
        defer { counts.unchanged += unchanged }
        pipeline.pollFields = EncodedPollFields(of: record)

        var decoder = DumpDecoder(attributes: config.attributes)
        // The counter and pipeline as locals: the per-row closure then
        // touches no stored property of this class (each such access is a
        // dynamic exclusivity check).
        var counter = recordCounter
        defer { recordCounter = counter }
        let pipeline = pipeline
        let started = ContinuousClock.now
        let outcome: DumpOutcome
        do {
            outcome = try socket.dump(
                request, buffer: buffer, decoder: &decoder, record: &record,
                shouldContinue: { ContinuousClock.now < deadline }
            ) { row in
                if tracking, !table.shouldSend(row, full: full) {
                    unchanged &+= 1
                    return
                }
                counter &+= 1
                row.recordCounter = counter
                pipeline.append(row)
            }
        } catch {
            // ENOBUFS (the socket overflowed) and other receive errors: the
            // dump is incomplete and the socket's state unknown.
            counts.receiveFailed(errno: (error as? NetlinkSocket.SystemError)?.errno ?? EIO)
            lastProblem = "\(shards[index]): \(error)"
            sockets[index] = nil
            counts.decode += decoder.stats
            return true
        }
        counts.decode += decoder.stats
        counts.dumpEnded(outcome, started: started)
        table.end(complete: outcome == .done)
        switch outcome {
        case .done:
            return true
        case .failed(let errno):
            lastProblem = "\(shards[index]): NLMSG_ERROR \(String(cString: strerror(errno)))"
            return true
        case .timedOut, .abandoned:
            // A dump left half-read keeps its socket busy: replace it.
            sockets[index] = nil
            return false
        }
    }

    private func openSocket() throws -> NetlinkSocket {
        let socket = try namespace.openSocket()
        try socket.setReceiveTimeout(config.netlinkTimeout.duration)
        return socket
    }
}
