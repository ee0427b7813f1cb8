import Dispatch
import IOUring
import Netlink
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// `-ioUring`: one OS thread with one ring that dumps many shards of many
/// namespaces at once. Up to `window` dumps are in flight, each with one
/// receive (and its own buffer) queued on the ring with a linked
/// `-nltimeout`; each completion is decoded with its dump's per-poll fields
/// and the receive queued again, until the dump's NLMSG_DONE. The number of
/// threads does not grow with namespaces.
final class RingNetlinker: @unchecked Sendable {  // its state is touched by its thread only, between semaphores
    let id: Int
    let config: DaemonConfig
    let pipeline: BatchPipeline
    /// Made on the netlinker's own thread: a SINGLE_ISSUER ring belongs to
    /// the thread that sets it up (another's submit gets EEXIST).
    private var ring: IOUring!
    private let buffers: [UnsafeMutableRawBufferPointer]
    private var record = FlatRecord()
    private var recordCounter: UInt64 = 0
    private var requestSequence: UInt32

    /// The jobs of the next poll (set by the poller between polls).
    var jobs: [RingJob] = []

    private let worker: PollWorker
    private(set) var counts = PollCounts()
    private(set) var problems: [String] = []

    init(id: Int, config: DaemonConfig, destination: any Destination, finished: DispatchSemaphore) throws {
        self.id = id
        self.config = config
        worker = PollWorker(finished: finished)
        let window = config.ioUringWindow
        buffers = (0..<window).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: config.packetSize, alignment: 4096) }
        requestSequence = UInt32(truncatingIfNeeded: 0x4000_0000 &+ id &* 1_000_000)
        pipeline = BatchPipeline(
            marshaller: config.marshal.makeMarshaller(initialCapacity: config.envelopeCapacity),
            destination: destination, flushRows: config.envelopeFlushRows, flushBytes: config.envelopeFlushBytes)
    }

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Starts the thread and sets up its ring there; throws what the setup
    /// threw.
    func startThread() throws {
        let entries = UInt32(max(8, 2 * buffers.count)).nextPowerOfTwo
        try worker.launch(name: "xtcp-ring-\(id)", setUp: { [self] in ring = try IOUring(entries: entries) }) { [self] ticket in
            counts = PollCounts()
            problems = []
            poll(ticket)
        }
    }

    func begin(_ ticket: PollTicket) { worker.begin(ticket) }

    func stop() { worker.stop() }

    private func poll(_ ticket: PollTicket) {
        var pending = jobs[...]
        var active: [RingJob?] = Array(repeating: nil, count: buffers.count)
        var timedOut = false

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
                    var request = InetDiagRequest(family: job.shard.family, attributes: config.attributes, sequence: requestSequence)
                    request.bytecode = job.shard.bytecode
                    job.template = ticket.template
                    job.namespace.stamp(&job.template)
                    job.template.netlinkerId = UInt64(id)
                    job.template.socketFd = UInt64(socket.fileDescriptor)
                    job.pollFields = EncodedPollFields(of: job.template)
                    job.decoder = DumpDecoder(attributes: config.attributes)
                    try socket.startDump(request, decoder: &job.decoder)
                    active[slot] = job
                    arm(slot, job)
                    return true
                } catch {
                    counts.dumpsFailed += 1
                    problems.append("\(job.namespace.name) \(job.shard): \(error)")
                    job.socket = nil
                }
            }
            return false
        }

        func arm(_ slot: Int, _ job: RingJob) {
            // Two entries are always free: at most one receive and its
            // timer per slot are queued, and the ring holds 2 per slot.
            _ = ring.queueReceive(descriptor: job.socket!.fileDescriptor, into: buffers[slot], userData: UInt64(slot),
                                  timeout: config.netlinkTimeout.duration)
        }

        func finish(_ slot: Int, _ job: RingJob, _ outcome: DumpOutcome?) {
            counts.decode += job.decoder.stats
            if let outcome { counts.dumpEnded(outcome) }
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
        while active.contains(where: { $0 != nil }) {
            do { try ring.submit(waitingFor: 1) } catch {
                problems.append("io_uring: \(error)")
                break
            }
            ring.reap(limit: config.ioUringCqeBatch) { completion in
                guard completion.userData != IOUring.linkedTimeoutUserData else { return }
                let slot = Int(completion.userData)
                guard let job = active[slot] else { return }
                guard completion.result > 0 else {
                    if completion.result == -ECANCELED {
                        finish(slot, job, .timedOut)  // the linked timeout: stalled
                    } else {
                        counts.dumpsFailed += 1
                        problems.append("\(job.namespace.name) \(job.shard): receive: \(String(cString: strerror(-completion.result)))")
                        finish(slot, job, nil)
                    }
                    job.socket = nil  // left mid-dump: replace it
                    return
                }
                if stamped !== job {
                    record.copyPollFields(from: job.template)
                    pipeline.pollFields = job.pollFields
                    stamped = job
                }
                let datagram = UnsafeRawBufferPointer(rebasing: buffers[slot][0..<Int(completion.result)])
                let progress = job.decoder.decode(datagram, into: &record) { row in
                    counter &+= 1
                    row.recordCounter = counter
                    pipeline.append(row)
                }
                switch progress {
                case .more:
                    if ContinuousClock.now < ticket.deadline {
                        arm(slot, job)
                    } else {
                        timedOut = true
                        job.socket = nil
                        finish(slot, job, .abandoned)
                    }
                case .done:
                    finish(slot, job, .done)
                case .failed(let errno):
                    problems.append("\(job.namespace.name) \(job.shard): NLMSG_ERROR \(String(cString: strerror(errno)))")
                    finish(slot, job, .failed(errno: errno))
                }
            }
        }
        let (flushed, writeError) = pipeline.endPoll(timedOut: timedOut)
        counts += flushed
        if let writeError { problems.append("write to \(config.destination): \(writeError)") }
    }
}

extension UInt32 {
    var nextPowerOfTwo: UInt32 { self <= 1 ? 1 : 1 << (32 - (self - 1).leadingZeroBitCount) }
}
