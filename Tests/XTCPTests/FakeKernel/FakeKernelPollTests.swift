import Destinations
import Foundation
import Netlink
import Synchronization
import Platform
import RecordFmt
import Testing
import TestSupport
@testable import XTCP

/// The dump session's flush, drop, outcome and counting logic, in process,
/// on every receive path of a poll (recvmsg, io_uring per datagram, io_uring
/// multishot), against a fake kernel: real sockets, real io_uring, scripted
/// replies (`FakeKernel`), faults injected under the system calls
/// (`FaultInjector`). The live-kernel suite runs the same paths against the
/// real sock_diag.
@Suite("Polls against a fake kernel: every outcome and fault, every receive path (in process)", .serialized)
struct FakeKernelPollTests {
    /// A poller of `namespaces` on `path`, dumping through `kernel` into a
    /// recording destination: 2 netlinkers, so each namespace is 2 jobs
    /// (inet, inet6), dealt alike on every path.
    final class Rig {
        let kernel: FakeKernel
        let destination = RecordingDestination()
        let poller: DumpPoller
        let namespaces: [PolledNamespace]
        var config: DaemonConfig
        private var sequence: UInt64 = 0

        init(_ path: ReceivePath, namespaces names: [String] = ["a", "b", "c"], timeout: Duration = .seconds(5),
             changesOnly: Bool = false, script: @escaping FakeKernel.Script) throws {
            kernel = FakeKernel(script: script)
            var config = DaemonConfig(identity: RecordIdentity(hostname: "fake"))
            config.netlinkers = 2
            config.cpus = 2
            config.marshal = .protobufList
            config.netlinkTimeout = GoDuration(nanoseconds: 100_000_000)
            config.frequency = GoDuration(nanoseconds: Int64(timeout.inSeconds * 1e9))
            config.timeout = config.frequency
            config.ioUring = path != .recvmsg
            config.ioUringMultishot = path == .ringMultishot
            config.changesOnly = changesOnly
            config.fullEvery = 1000
            self.config = config
            poller = try DumpPoller(config: config, destination: destination, sockets: FakeSockets(kernel: kernel))
            namespaces = names.enumerated().map { PolledNamespace(name: $1, inode: UInt64(1000 + $0), path: nil) }
            _ = poller.reconcile(namespaces)
        }

        deinit {
            poller.stopAll()
            kernel.stop()
        }

        /// One poll; its counts and problems.
        func poll() -> (counts: PollCounts, problems: [String]) {
            sequence += 1
            var template = FlatRecord()
            config.identity.stamp(&template)
            template.pollSequence = sequence
            return poller.poll(PollTicket(deadline: .now + config.timeout.duration, template: template))
        }
    }

    /// Answers every dump with `inet` IPv4 or `inet6` IPv6 sockets.
    static func sockets(inet: Int = 40, inet6: Int = 25) -> FakeKernel.Script {
        { _, family, _ in .sockets(family == 2 ? inet : inet6) }
    }

    @Test("canned multipart replies: every socket once per poll, under its namespace, numbered, counted, delivered", arguments: ReceivePath.allCases)
    func cannedReplies(path: ReceivePath) throws {
        let rig = try Rig(path, script: Self.sockets())
        for poll in UInt64(1)...2 {
            let (counts, problems) = rig.poll()
            #expect(problems.isEmpty, "\(problems)")
            #expect(counts.sockets == 3 * 65 && counts.delivery.records == 3 * 65, "\(counts.summary)")
            #expect(counts.dumps.dumps == 6 && counts.dumps.dumpsDone == 6 && counts.dumpsIncomplete == 0, "\(counts.summary)")
            #expect(counts.delivery.delivered == counts.delivery.envelopes && counts.delivery.flushes[FlushReason.endOfDump.rawValue] == 2)
            #expect(counts.dumps.dumpSeconds.count == 6 && counts.dumps.decode.problems == 0)
            let rows = rig.destination.records.filter { $0.pollSequence == poll }
            #expect(rows.count == 3 * 65)
            #expect(Set(rows.map(\.inetDiagMsgSocketCookie)).count == rows.count, "a socket twice")
            for name in ["a", "b", "c"] {
                let mine = rows.filter { $0.netns == name }
                #expect(mine.count == 65 && mine.allSatisfy { $0.recordKind == .poll && $0.hostname == "fake" }, "\(name): \(mine.count)")
            }
            #expect(Set(rows.map(\.netlinkerId)) == [0, 1])
        }
        // record_counter numbers each netlinker's rows, never reset.
        for netlinker in UInt64(0)...1 {
            let counters = rig.destination.records.filter { $0.netlinkerId == netlinker }.map(\.recordCounter)
            #expect(counters == Array(1...UInt64(counters.count)), "netlinker \(netlinker)'s record_counter")
        }
        #expect(rig.kernel.socketsOpened(in: "a") == 2, "sockets are kept from poll to poll")
    }

    @Test("NLMSG_ERROR instead of a dump: counted by errno, said once, the socket kept, the other dumps whole", arguments: ReceivePath.allCases)
    func nlmsgError(path: ReceivePath) throws {
        let rig = try Rig(path) { namespace, family, _ in namespace == "b" && family == 2 ? .error(EINVAL) : .sockets(30) }
        let (counts, problems) = rig.poll()
        #expect(counts.dumps.dumpsFailed == 1 && counts.dumps.dumpsDone == 5, "\(counts.summary)")
        #expect(counts.dumps.netlinkErrors == [NetlinkError(kind: .nlmsgError, errno: EINVAL): 1])
        #expect(problems.count == 1 && problems[0].contains("b inet: NLMSG_ERROR Invalid argument"), "\(problems)")
        #expect(counts.delivery.records == 5 * 30 && rig.destination.records.count == 5 * 30)
        _ = rig.poll()
        #expect(rig.kernel.socketsOpened(in: "b") == 2, "an error reply leaves the socket usable")
    }

    @Test("NLM_F_DUMP_INTR on a dump's messages: counted, the dump still done and whole", arguments: ReceivePath.allCases)
    func dumpInterrupted(path: ReceivePath) throws {
        let rig = try Rig(path) { namespace, family, _ in .sockets(32, perDatagram: 16, interrupted: namespace == "a" && family == 10) }
        let (counts, problems) = rig.poll()
        #expect(problems.isEmpty && counts.dumps.dumpsDone == 6 && counts.sockets == 6 * 32, "\(counts.summary) \(problems)")
        // Two datagrams of 16 sockets and the NLMSG_DONE, every message flagged.
        #expect(counts.dumps.decode.dumpInterrupted == 33, "\(counts.dumps.decode)")
        #expect(counts.summary.contains("dumpInterrupted=33"))
    }

    @Test("ENOBUFS on a receive: the dump counted failed by errno, its socket replaced, the next poll whole",
          arguments: [ReceivePath.recvmsg, .ringPerDatagram])
    func receiveOverflow(path: ReceivePath) throws {
        let rig = try Rig(path, script: Self.sockets(inet: 40, inet6: 40))
        let injector = FaultInjector()
        SyscallSeam.with(injector) {
            // The second datagram of some dump: a receive that fails mid-dump.
            injector.add(path == .recvmsg ? .recvmsg : .ioUringReceive, .fail(errno: ENOBUFS), times: 1)
            let (counts, problems) = rig.poll()
            #expect(injector.count == 1)
            #expect(counts.dumps.dumpsFailed == 1 && counts.dumps.dumpsDone == 5, "\(counts.summary)")
            #expect(counts.dumps.netlinkErrors == [NetlinkError(kind: .receive, errno: ENOBUFS): 1])
            #expect(problems.count == 1 && problems[0].contains("receive: No buffer space available"), "\(problems)")
            let (next, nextProblems) = rig.poll()
            #expect(next.dumps.dumpsDone == 6 && next.sockets == 6 * 40 && nextProblems.isEmpty, "\(next.summary)")
            let opened = ["a", "b", "c"].map { rig.kernel.socketsOpened(in: $0) }.reduce(0, +)
            #expect(opened == 7, "one socket replaced: \(opened)")
        }
    }

    @Test("multishot: a burst past the provided buffers runs them out (ENOBUFS), the receive is armed again, nothing is lost")
    func multishotBufferExhaustion() throws {
        // 2,000 sockets a dump, one a datagram: far more datagrams at once
        // than the ring's 16 provided buffers.
        let rig = try Rig(.ringMultishot) { _, _, _ in .sockets(2000, perDatagram: 1) }
        let (counts, problems) = rig.poll()
        #expect(problems.isEmpty && counts.dumps.dumpsDone == 6 && counts.sockets == 6 * 2000, "\(counts.summary) \(problems)")
        #expect(rig.destination.records.count == 6 * 2000)
    }

    @Test("a stall: counted, the poll's last envelope flushed as `timeout`, the socket replaced, the next poll whole", arguments: ReceivePath.allCases)
    func stall(path: ReceivePath) throws {
        let rig = try Rig(path) { namespace, family, dump in namespace == "b" && family == 10 && dump == 0 ? .stall(afterSockets: 5) : .sockets(20) }
        let (counts, problems) = rig.poll()
        #expect(counts.dumps.dumpsStalled == 1 && counts.dumps.dumpsDone == 5, "\(counts.summary) \(problems)")
        #expect(counts.delivery.flushes[FlushReason.timeout.rawValue] >= 1, "\(counts.summary)")
        #expect(counts.sockets == 5 * 20 + 5 && rig.destination.records.count == 5 * 20 + 5, "the rows before the stall are delivered")
        let (next, _) = rig.poll()
        #expect(next.dumps.dumpsDone == 6 && next.dumpsIncomplete == 0, "\(next.summary)")
        #expect(rig.kernel.socketsOpened(in: "b") == 3, "the stalled dump's socket is replaced")
    }

    @Test("past the poll's -timeout: the dump in progress and those not begun are counted timed out, their sockets replaced", arguments: ReceivePath.allCases)
    func pastDeadline(path: ReceivePath) throws {
        let rig = try Rig(path, timeout: .milliseconds(300)) { namespace, _, dump in
            namespace == "a" && dump == 0 ? .slow(40, pause: .milliseconds(20)) : .sockets(10)
        }
        let (counts, problems) = rig.poll()
        #expect(counts.dumps.dumpsTimedOut >= 1 && counts.dumpsIncomplete == counts.dumps.dumpsTimedOut, "\(counts.summary) \(problems)")
        #expect(counts.dumps.dumps == 6 && counts.dumps.dumpsDone + counts.dumps.dumpsTimedOut == 6, "\(counts.summary)")
        #expect(counts.delivery.flushes[FlushReason.timeout.rawValue] >= 1)
        #expect(counts.sockets == UInt64(rig.destination.records.count), "every row decoded is delivered")
    }

    @Test("a namespace gone before its dumps: counted vanished, not incomplete, nothing said", arguments: ReceivePath.allCases)
    func vanishedNamespace(path: ReceivePath) throws {
        let rig = try Rig(path, script: Self.sockets(inet: 10, inet6: 10))
        rig.kernel.vanish("c")
        let (counts, problems) = rig.poll()
        #expect(counts.dumps.namespacesVanished == 2 && counts.dumpsIncomplete == 0 && problems.isEmpty, "\(counts.summary) \(problems)")
        #expect(counts.dumps.dumpsDone == 4 && counts.sockets == 4 * 10)
        #expect(counts.summary.contains("namespacesVanished=2"))
    }

    @Test("-changesOnly: the first poll sends every socket, an unchanged one is left out and counted after", arguments: ReceivePath.allCases)
    func changesOnly(path: ReceivePath) throws {
        let rig = try Rig(path, changesOnly: true, script: Self.sockets(inet: 15, inet6: 15))
        let (first, _) = rig.poll()
        #expect(first.delivery.records == 90 && first.dumps.unchanged == 0, "\(first.summary)")
        let (second, _) = rig.poll()
        #expect(second.sockets == 90 && second.delivery.records == 0 && second.dumps.unchanged == 90, "\(second.summary)")
        #expect(rig.destination.records.allSatisfy { $0.recordKind == .poll })
    }

    @Test("a destination that refuses a write: the envelope and its rows counted dropped, said once, the next envelopes go on", arguments: ReceivePath.allCases)
    func writeRefused(path: ReceivePath) throws {
        let rig = try Rig(path, script: Self.sockets(inet: 30, inet6: 30))
        rig.destination.failNext(1)
        let (counts, problems) = rig.poll()
        #expect(counts.delivery.envelopes == 2 && counts.delivery.delivered == 1 && counts.envelopesDropped == 1, "\(counts.summary)")
        #expect(counts.delivery.droppedRows[DropReason.writeError.rawValue] == 90, "one netlinker's 3 dumps of 30")
        #expect(problems.count == 1 && problems[0].contains("No space left on device"), "\(problems)")
        #expect(rig.destination.records.count == 90)
    }
}

// MARK: - The tier's destination and socket opener

/// A destination for the in-process tier: keeps every batch it is given,
/// or refuses the next `failing` writes (a write error, as a full disk
/// gives). Its records are decoded by protobuf-c, the reference codec.
final class RecordingDestination: Destination, @unchecked Sendable {  // state is behind a Mutex
    private let state = Mutex<(bytes: [UInt8], batches: Int, failing: Int)>(([], 0, 0))

    func failNext(_ writes: Int) { state.withLock { $0.failing = writes } }

    func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try state.withLock { state in
            if state.failing > 0 {
                state.failing -= 1
                throw DestinationError(what: "write to the recording", errno: 28)  // ENOSPC
            }
            state.bytes += batch
            state.batches += 1
        }
        return .delivered
    }

    func close() throws {}

    var batches: Int { state.withLock { $0.batches } }

    /// Every record written so far.
    var records: [FlatRecord] { ProtobufList.records(state.withLock { $0.bytes }) ?? [] }
}

/// The fake kernel as the poller's socket opener.
struct FakeSockets: DumpSocketOpener {
    let kernel: FakeKernel
    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket { try kernel.open(namespace: namespace.name) }
}
