import Destinations
import Netlink
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// How a dump ended: what the end-of-dump state machine (`DumpSession.end`)
/// is told, whichever way the dump was received.
enum DumpEnding: Equatable {
    /// NLMSG_DONE: every socket was sent.
    case done
    /// NLMSG_ERROR instead of the dump (EINVAL for a refused filter).
    case nlmsgError(errno: Int32)
    /// Nothing arrived within `-nltimeout`: incomplete, and the socket
    /// still holds the rest of the dump.
    case stalled
    /// The poll's `-timeout` came in the middle of the dump: incomplete.
    case pastDeadline
    /// The socket failed (ENOBUFS: it overflowed): incomplete, its state
    /// unknown.
    case receiveFailed(errno: Int32)
}

extension DumpEnding {
    /// Ended for lack of time: the poll's last envelope is a `timeout` flush.
    var isCutShort: Bool { self == .stalled || self == .pastDeadline }

    /// The socket has read the whole reply and can take the next request.
    var leavesSocketUsable: Bool {
        switch self {
        case .done, .nlmsgError: true
        case .stalled, .pastDeadline, .receiveFailed: false
        }
    }

    /// The dump ran its course (a reply, or the wait for one): its time is
    /// in the dump-duration histogram; a socket that failed says nothing of
    /// how long a dump takes.
    var tookItsTime: Bool {
        if case .receiveFailed = self { return false }
        return true
    }
}

/// What a receive path does after handing a datagram over.
enum DumpStep: Equatable {
    /// Receive the dump's next datagram.
    case more
    /// The dump is over (done, failed or cut short): counted, and its
    /// socket kept or let go by the session.
    case ended
}

/// Everything between "a datagram arrived" and "a batch is handed to a
/// destination", in one place, for one thread: the reusable record and the
/// per-poll stamp of each dump, the row counter, `-changesOnly` and the
/// selection the kernel did not make, the batch pipeline, the end-of-dump
/// state machine, the poll's problems and counts.
///
/// Receive paths only feed it: a job to start (`start`), the datagrams that
/// arrive for it (`receive`), and how a receive failed (`stalled`,
/// `receiveFailed`). The recvmsg loop, the io_uring completions, the close
/// events' bursts and a capture file all go through here, so a row-level
/// feature is written once.
final class DumpSession {
    let netlinker: Int
    let pipeline: BatchPipeline
    private let config: DaemonConfig
    private let selection: RowSelection
    private let sockets: any DumpSocketOpener
    /// SO_RCVTIMEO for a new socket, when the receive path waits in recvmsg
    /// (`-nltimeout`); nil where a ring times receives out.
    private let receiveTimeout: Duration?
    /// Each socket's owner (container and pod) by its cgroup id
    /// (`-resolveContainerId`); nil leaves the owner fields empty.
    private let owners: CgroupIndex?
    /// Sees every request sent and datagram received (`-capture`).
    var tap: ((UnsafeRawBufferPointer, _ outgoing: Bool) -> Void)?

    private var record = FlatRecord()
    /// `record_counter`: rows numbered per session, never reset.
    private var counter: UInt64 = 0
    private var requestSequence: UInt32
    /// The stamp whose fields `record` and the pipeline hold (stamps are
    /// numbered by the session that makes them, so one never passes for
    /// another).
    private var stamped: UInt64 = 0
    private var stamps: UInt64 = 0
    /// The cgroup whose owner `record` and the pipeline hold; none after a
    /// new stamp, whose owner fields are empty.
    private var ownerCgroup = DumpSession.noCgroup
    private static let noCgroup = UInt64.max

    // This poll's.
    private var deadline: ContinuousClock.Instant?
    /// A dump ended for lack of time: the poll's last envelope is flushed
    /// as `timeout`.
    private var cutShort = false
    private(set) var counts = DumpCounts()
    private var problems = ProblemLog()

    init(netlinker: Int, config: DaemonConfig, destination: any Destination, selection: RowSelection = .everything,
         sockets: any DumpSocketOpener = KernelSockets(), receiveTimeout: Duration? = nil, owners: CgroupIndex? = nil,
         stream: RecordStream? = nil, streamSource: RecordStream.Source = .poll) {
        self.netlinker = netlinker
        self.owners = owners
        self.config = config
        self.selection = selection
        self.sockets = sockets
        self.receiveTimeout = receiveTimeout
        requestSequence = UInt32(truncatingIfNeeded: netlinker &* 1_000_000 &+ Int(WallClock.nanoseconds() / 1_000_000_000 & 0xFFFF))
        pipeline = BatchPipeline(
            marshaller: config.marshal.makeMarshaller(initialCapacity: config.envelopeCapacity, columns: config.columns, pageCodec: config.s3.compression),
            destination: destination, flushRows: config.envelopeFlushRows, flushBytes: config.envelopeFlushBytes,
            stream: stream, from: streamSource)
    }

    // MARK: A poll

    /// Starts a poll whose dumps must end by `deadline` (none for a replay).
    func beginPoll(deadline: ContinuousClock.Instant?) {
        self.deadline = deadline
        pipeline.deadline = deadline
        cutShort = false
        refreshOwnerNames()
    }

    /// Restamps the owners when the runtime's API has named containers
    /// anew, and looks again whether the record stream has clients (each
    /// poll, and each second of close events).
    func refreshOwnerNames() {
        pipeline.refreshStreaming()
        if let owners, owners.refreshNames() {
            ownerCgroup = Self.noCgroup  // a restamped owner is not the one held
        }
    }

    /// Ends a poll: flushes what is left (as `timeout` when a dump was cut
    /// short) and takes its counts and problems.
    func endPoll() -> (counts: PollCounts, problems: [String]) {
        let (delivery, writeError) = pipeline.take(flushing: cutShort ? .timeout : .endOfDump)
        if let writeError { problems.add("\(writeError)") }  // a destination's errors name it
        if let owners { counts.owners += owners.takeCounts() }
        defer {
            counts = DumpCounts()
            cutShort = false
        }
        return (PollCounts(dumps: counts, delivery: delivery), problems.take())
    }

    func problem(_ line: String) { problems.add(line) }

    // MARK: A dump

    /// Begins `job`'s dump for the poll of `ticket`: opens its socket if it
    /// has none and sends its request. Returns the socket to receive on, or
    /// nil when the dump could not begin, which is counted here: past the
    /// poll's deadline (timed out), its namespace gone (vanished, nothing
    /// lost), or its socket failed (said in the poll's problems).
    func start(_ job: DumpJob, poll ticket: PollTicket) -> NetlinkSocket? {
        counts.dumps += 1
        if let deadline, ContinuousClock.now >= deadline {
            counts.dumpsTimedOut += 1
            cutShort = true  // not begun for lack of time
            return nil
        }
        let socket: NetlinkSocket
        do {
            socket = try job.socket ?? openSocket(in: job.namespace)
        } catch let error as SystemError where error.namespaceVanished {
            counts.namespacesVanished += 1
            return nil
        } catch let error as SystemError where OpenFilesLimit.isExhausted(error.errno) {
            // One line for all of them, not one a namespace: said with the
            // limit, it is what the operator can act on.
            counts.failed(.socket, errno: error.errno)
            problems.add("dumps not begun: \(Errno.describe(error.errno)) (open files limit \(OpenFilesLimit.current.soft))")
            return nil
        } catch {
            counts.failed(.socket, errno: (error as? SystemError)?.errno ?? EIO)
            problems.add("\(job.name): netlink socket: \(error)")
            return nil
        }
        job.socket = socket
        // Only the poller's jobs are started, and each has its shard.
        guard let shard = job.shard else { preconditionFailure("DumpSession.start: a job without a shard (a stream) is not dumped") }
        requestSequence &+= 1
        let request = shard.request(attributes: config.attributes, sequence: requestSequence)
        let full = job.changes?.begin(snapshot: config.isFullSnapshot(poll: ticket.template.pollSequence)) ?? true
        begin(job, stamp: PollStamp(poll: ticket.template, namespace: job.namespace, netlinker: netlinker,
                                    socket: socket.fileDescriptor, kind: full ? .poll : .change),
              full: full, expecting: request.sequence)
        let bytes = request.bytes
        if let tap { bytes.withUnsafeBytes { tap($0, true) } }
        do { try socket.send(bytes) } catch {
            end(job, .receiveFailed(errno: error.errno))
            return nil
        }
        return socket
    }

    private func openSocket(in namespace: PolledNamespace) throws -> NetlinkSocket {
        let socket = try sockets.open(namespace)
        if let receiveTimeout { try socket.setReceiveTimeout(receiveTimeout) }
        return socket
    }

    /// Readies `job` for a dump stamped `stamp`: a fresh decoder (expecting
    /// replies to `sequence`, or any), the clock started. For dumps that
    /// are not asked for (a capture's), `start` otherwise.
    func begin(_ job: DumpJob, stamp: PollStamp, full: Bool = true, expecting sequence: UInt32? = nil) {
        job.stamp = stamp
        stamps &+= 1
        job.stampID = stamps
        job.full = full
        job.decoder = DumpDecoder(attributes: config.attributes, tcpInfoLayout: config.tcpInfoLayout)
        job.decoder.expectedSequence = sequence
        job.started = .now
    }

    /// Moves `job`'s stamp to another time (each datagram of a replay
    /// keeps the time it was captured).
    func retime(_ job: DumpJob, nanoseconds: Int64) {
        guard job.stamp.fields.timestampNs != nanoseconds else { return }
        job.stamp.retime(nanoseconds)
        stamps &+= 1
        job.stampID = stamps
    }

    /// One datagram of `job`'s dump: its rows decoded, selected, numbered
    /// and batched. Says whether the dump goes on; when it is over (done,
    /// NLMSG_ERROR, or past the poll's deadline), it has been ended.
    func receive(_ datagram: UnsafeRawBufferPointer, for job: DumpJob) -> DumpStep {
        tap?(datagram, false)
        switch decodeRows(datagram, of: job) {
        case .done:
            end(job, .done)
            return .ended
        case .failed(let errno):
            end(job, .nlmsgError(errno: errno))
            return .ended
        case .more:
            if let deadline, ContinuousClock.now >= deadline {
                end(job, .pastDeadline)
                return .ended
            }
            return .more
        }
    }

    /// `count` dumps of this poll that could not begin (the ring they were
    /// to be received on failed): each is a failed dump.
    func notBegun(_ count: Int, errno: Int32) {
        counts.dumps += UInt64(count)
        if count > 0 { counts.failed(.ring, errno: errno, dumps: UInt64(count)) }
    }

    /// Nothing came for `job` within `-nltimeout`.
    func stalled(_ job: DumpJob) { end(job, .stalled) }

    /// `job`'s receive failed with `errno`.
    func receiveFailed(_ job: DumpJob, errno: Int32) { end(job, .receiveFailed(errno: errno)) }

    /// The source of `job`'s datagrams ended before the dump did (a capture
    /// cut short, or the empty dump after a capture's last): what was
    /// decoded is counted; how the dump would have ended, nobody knows.
    func sourceEnded(_ job: DumpJob) {
        counts.decode += job.decoder.stats
        job.decoder.stats = DecodeStats()
    }

    /// Datagrams of a stream that has no end (close events): rows decoded,
    /// selected, numbered and batched.
    func receiveEvents(_ datagram: UnsafeRawBufferPointer, from job: DumpJob) {
        tap?(datagram, false)
        _ = decodeRows(datagram, of: job)
    }

    /// The end-of-dump state machine: the one place that counts how a dump
    /// ended, tells `-changesOnly` whether the dump saw every socket, and
    /// keeps or lets go of the socket.
    private func end(_ job: DumpJob, _ ending: DumpEnding) {
        counts.decode += job.decoder.stats
        switch ending {
        case .done:
            counts.dumpsDone += 1
        case .nlmsgError(let errno):
            counts.failed(.nlmsgError, errno: errno)
            problems.add("\(job.name): NLMSG_ERROR \(Errno.describe(errno))")
        case .stalled:
            counts.dumpsStalled += 1
        case .pastDeadline:
            counts.dumpsTimedOut += 1
        case .receiveFailed(let errno):
            counts.failed(.receive, errno: errno)
            problems.add("\(job.name): receive: \(Errno.describe(errno))")
        }
        if ending.tookItsTime { counts.dumpSeconds.observe((ContinuousClock.now - job.started).inSeconds) }
        cutShort = cutShort || ending.isCutShort
        job.changes?.end(complete: ending == .done)
        // A dump left half-read keeps its socket busy, and a failed
        // socket's state is unknown: the next dump opens another.
        if !ending.leavesSocketUsable { job.socket = nil }
    }

    // MARK: Rows

    /// The one row path: every socket of every receive path is decoded
    /// straight from the datagram into the reusable record, then selected,
    /// checked against `-changesOnly`, numbered and appended here.
    @inline(__always)
    private func decodeRows(_ datagram: UnsafeRawBufferPointer, of job: DumpJob) -> DumpProgress {
        if stamped != job.stampID {
            record.copyPollFields(from: job.stamp.fields)
            pipeline.pollFields = job.stamp.encoded
            pipeline.ownerFields = .none
            ownerCgroup = Self.noCgroup
            stamped = job.stampID
        }
        // Locals, not stored properties, in the row closure: each access to
        // a class's property there would be a dynamic exclusivity check per
        // row. The change table is moved out for the datagram (a copy would
        // duplicate its storage on the first write).
        var counter = counter
        var ownerCgroup = ownerCgroup
        defer {
            self.counter = counter
            self.ownerCgroup = ownerCgroup
        }
        let pipeline = pipeline
        let selection = selection
        let owners = owners
        let full = job.full
        var unchanged: UInt64 = 0
        var changes: ChangeTable?
        swap(&changes, &job.changes)
        defer {
            swap(&changes, &job.changes)
            counts.unchanged &+= unchanged
        }
        return job.decoder.decode(datagram, into: &record) { row in
            guard selection.keeps(row) else { return }
            if changes?.shouldSend(row, full: full) == false {
                unchanged &+= 1
                return
            }
            // The owner is looked up only when the cgroup is not the last
            // row's: sockets of one process come in runs.
            if let owners, row.cGroup != ownerCgroup {
                ownerCgroup = row.cGroup
                let owner = owners.stamp(of: ownerCgroup)
                row.stampOwner(owner.owner)
                pipeline.ownerFields = owner.encoded
            }
            counter &+= 1
            row.recordCounter = counter
            pipeline.append(row)
        }
    }
}
