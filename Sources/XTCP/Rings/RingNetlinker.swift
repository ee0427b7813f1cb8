import Dispatch
import IOUring
import Netlink
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// `-ioUring`: one OS thread with one ring that dumps many shards of many
/// namespaces at once. Up to `window` dumps are in flight, each receiving
/// on the ring (`RingReceiver`: one multishot receive per dump, or one
/// receive per datagram); each completion is decoded with its dump's
/// per-poll fields, until the dump's NLMSG_DONE. The number of threads does
/// not grow with namespaces.
final class RingNetlinker: @unchecked Sendable {  // its state is touched by its thread only, between semaphores
    let id: Int
    let config: DaemonConfig
    let pipeline: BatchPipeline
    /// Made on the netlinker's own thread: a SINGLE_ISSUER ring belongs to
    /// the thread that sets it up (another's submit gets EEXIST).
    private(set) var receiver: RingReceiver!
    private var record = FlatRecord()
    private var recordCounter: UInt64 = 0
    private var requestSequence: UInt32
    /// Tags each dump's completions (slot in the low 16 bits), so that a
    /// late completion of an ended dump is told from its slot's next dump.
    private var dumpSerial: UInt64 = 0

    /// The jobs of the next poll (set by the poller between polls).
    var jobs: [RingJob] = []

    private let worker: PollWorker
    private(set) var counts = PollCounts()
    private(set) var problems: [String] = []

    init(id: Int, config: DaemonConfig, destination: any Destination, finished: DispatchSemaphore) throws {
        self.id = id
        self.config = config
        worker = PollWorker(finished: finished)
        requestSequence = UInt32(truncatingIfNeeded: 0x4000_0000 &+ id &* 1_000_000)
        pipeline = BatchPipeline(
            marshaller: config.marshal.makeMarshaller(initialCapacity: config.envelopeCapacity),
            destination: destination, flushRows: config.envelopeFlushRows, flushBytes: config.envelopeFlushBytes)
    }

    /// Starts the thread and sets up its ring there; throws what the setup
    /// threw.
    func startThread() throws {
        let window = config.ioUringWindow
        let entries = UInt32(max(8, 2 * window)).nextPowerOfTwo
        try worker.launch(name: "xtcp-ring-\(id)", setUp: { [self] in
            receiver = RingReceiver(ring: try IOUring(entries: entries), window: window, packetSize: config.packetSize,
                                    timeout: config.netlinkTimeout.duration, multishot: config.ioUringMultishot)
        }) { [self] ticket in
            counts = PollCounts()
            problems = []
            poll(ticket)
        }
    }

    func begin(_ ticket: PollTicket) { worker.begin(ticket) }

    func stop() { worker.stop() }

    /// A dump in flight: its job, the tag of its completions, whether its
    /// receive is armed, and when its last datagram came.
    private struct Flight {
        var job: RingJob
        var tag: UInt64
        var armed = true
        var lastHeard: ContinuousClock.Instant
        var started: ContinuousClock.Instant
    }

    private func poll(_ ticket: PollTicket) {
        let receiver = receiver!
        var pending = jobs[...]
        var active: [Flight?] = Array(repeating: nil, count: config.ioUringWindow)
        var timedOut = false
        let stallAfter = config.netlinkTimeout.duration

        /// Starts the next pending job in `slot`; false when none is left.
        func startNext(in slot: Int) -> Bool {
            while let job = pending.popFirst() {
                counts.dumps += 1
                if ContinuousClock.now >= ticket.deadline {
                    counts.dumpsTimedOut += 1
                    timedOut = true
                    continue
                }
                do {
                    let socket = try job.socket ?? job.namespace.openSocket()
                    job.socket = socket
                    requestSequence &+= 1
                    let request = job.shard.request(attributes: config.attributes, sequence: requestSequence)
                    job.template = ticket.template
                    job.namespace.stamp(&job.template)
                    job.template.netlinkerId = UInt64(id)
                    job.template.socketFd = UInt64(socket.fileDescriptor)
                    job.full = job.changes?.begin(snapshot: config.isFullSnapshot(poll: ticket.template.pollSequence)) ?? true
                    job.template.recordKind = job.full ? .poll : .change
                    job.pollFields = EncodedPollFields(of: job.template)
                    job.decoder = DumpDecoder(attributes: config.attributes)
                    try socket.startDump(request, decoder: &job.decoder)
                    dumpSerial &+= 1
                    let flight = Flight(job: job, tag: dumpSerial << 16 | UInt64(slot), lastHeard: .now, started: .now)
                    active[slot] = flight
                    receiver.arm(slot: slot, descriptor: socket.fileDescriptor, tag: flight.tag)
                    return true
                } catch {
                    if counts.socketFailed(error) { problems.append("\(job.namespace.name) \(job.shard): \(error)") }
                    job.socket = nil
                }
            }
            return false
        }

        /// Ends the dump in `slot`; `keepSocket` false when it ended
        /// mid-dump (the socket has unread datagrams: replace it).
        func finish(_ slot: Int, _ outcome: DumpOutcome?, keepSocket: Bool = true) {
            guard let flight = active[slot] else { return }
            receiver.disarm(tag: flight.tag, armed: flight.armed)
            counts.decode += flight.job.decoder.stats
            if let outcome { counts.dumpEnded(outcome, started: flight.started) }
            flight.job.changes?.end(complete: outcome == .done)
            if !keepSocket { flight.job.socket = nil }
            active[slot] = nil
            _ = startNext(in: slot)
        }

        for slot in active.indices where !startNext(in: slot) { break }
        var counter = recordCounter
        defer { recordCounter = counter }
        let pipeline = pipeline
        // The job whose per-poll fields `record` and the pipeline hold:
        // copied again only when a datagram of another dump comes.
        var stamped: RingJob?
        /// Decodes every completion ready (up to -ioUringCqeBatch).
        func reapAll() {
            receiver.ring.reap(limit: config.ioUringCqeBatch) { completion in
                let slot = Int(completion.userData & 0xFFFF)
                guard completion.userData < IOUring.cancelUserData, slot < active.count,
                      let flight = active[slot], flight.tag == completion.userData else {
                    receiver.discard(completion)  // a timer's, a cancel's, or an ended dump's late datagram
                    return
                }
                let job = flight.job
                active[slot]!.armed = completion.hasMore
                active[slot]!.lastHeard = .now
                guard completion.result > 0 else {
                    if receiver.ranOutOfBuffers(completion) {
                        receiver.arm(slot: slot, descriptor: job.socket!.fileDescriptor, tag: flight.tag)
                        active[slot]!.armed = true
                    } else if receiver.timedOut(completion) {
                        finish(slot, .timedOut, keepSocket: false)  // the linked timeout: stalled
                    } else {
                        counts.receiveFailed(errno: -completion.result)
                        problems.append("\(job.namespace.name) \(job.shard): receive: \(String(cString: strerror(-completion.result)))")
                        finish(slot, nil, keepSocket: false)
                    }
                    return
                }
                if stamped !== job {
                    record.copyPollFields(from: job.template)
                    pipeline.pollFields = job.pollFields
                    stamped = job
                }
                let progress = receiver.withDatagram(completion, slot: slot) { datagram in
                    job.decoder.decode(datagram, into: &record) { row in
                        if job.changes?.shouldSend(row, full: job.full) == false {
                            counts.unchanged &+= 1
                            return
                        }
                        counter &+= 1
                        row.recordCounter = counter
                        pipeline.append(row)
                    }
                }
                switch progress {
                case .more:
                    if ContinuousClock.now >= ticket.deadline {
                        timedOut = true
                        finish(slot, .abandoned, keepSocket: false)
                    } else if receiver.needsArming(after: completion) {
                        receiver.arm(slot: slot, descriptor: job.socket!.fileDescriptor, tag: flight.tag)
                        active[slot]!.armed = true
                    }
                case .done:
                    finish(slot, .done)
                case .failed(let errno):
                    problems.append("\(job.namespace.name) \(job.shard): NLMSG_ERROR \(String(cString: strerror(errno)))")
                    finish(slot, .failed(errno: errno))
                }
            }
        }
        while active.contains(where: { $0 != nil }) {
            do {
                // Multishot receives have no timers: a dump that has heard
                // nothing for -nltimeout is stalled, whether or not others
                // are still receiving. (Per datagram, each receive's linked
                // timeout says so.)
                let stallDeadline = receiver.usesTimedWait
                    ? active.lazy.compactMap { $0?.lastHeard }.min().map { $0 + stallAfter } : nil
                if try receiver.submitAndWait(until: stallDeadline) { reapAll() }
                guard receiver.usesTimedWait else { continue }
                let now = ContinuousClock.now
                for slot in active.indices where active[slot].map({ now - $0.lastHeard >= stallAfter }) ?? false {
                    finish(slot, .timedOut, keepSocket: false)
                }
            } catch {
                problems.append("io_uring: \(error)")
                break
            }
        }
        // Cancellations of the last dumps reach the kernel now, not at the
        // next poll.
        _ = try? receiver.ring.submit()
        let (flushed, writeError) = pipeline.endPoll(timedOut: timedOut)
        counts += flushed
        if let writeError { problems.append("write to \(config.destination): \(writeError)") }
    }
}

extension UInt32 {
    var nextPowerOfTwo: UInt32 { self <= 1 ? 1 : 1 << (32 - (self - 1).leadingZeroBitCount) }
}
