import Destinations
import Foundation
import Netlink
import Platform
import RecordFmt
import Testing
import TestSupport
@testable import XTCP

/// The other two receive paths through the same dump session, in process:
/// close events (a fake kernel's destroy messages, read with recvmmsg) and
/// a capture file (crafted from the kernel's message layouts). And what the
/// syscall seam injects under a poll's receives: EINTR, EAGAIN, a short read.
@Suite("Close events, captures and injected system-call faults against a fake kernel (in process)", .serialized)
struct FakeKernelStreamTests {
    /// A close-event listener of namespaces a and b, subscribed through the fake.
    func listening(filter: String? = nil) throws -> (CloseEventListener, FakeKernel, RecordingDestination) {
        let kernel = FakeKernel { _, _, _ in .sockets(0) }
        var config = DaemonConfig(identity: RecordIdentity(hostname: "fake"))
        config.marshal = .protobufList
        if let filter { try config.setFilter(try SocketFilter(parsing: filter)) }
        let destination = RecordingDestination()
        let listener = try CloseEventListener(config: config, destination: destination) { try kernel.subscribe(namespace: $0.name) }
        let namespaces = ["a", "b"].enumerated().map { PolledNamespace(name: $1, inode: UInt64(2000 + $0), path: nil) }
        #expect(listener.update(NamespaceChange(added: namespaces)).isEmpty)
        return (listener, kernel, destination)
    }

    @Test("close events: every destroy message one CLOSE record under its namespace, counted; -filter applied to them")
    func closeEvents() throws {
        let (listener, kernel, destination) = try listening(filter: "sport >= :40050")
        try listener.start()
        kernel.emitCloses("a", count: 100)
        kernel.emitCloses("b", count: 60)
        listener.stop()
        kernel.stop()
        let (counts, problems) = listener.take()
        #expect(problems.isEmpty, "\(problems)")
        #expect(counts.closes.events == 160 && counts.closes.lost == 0 && counts.closes.overflows == 0, "\(counts.summary)")
        let records = destination.records
        // Source ports 40000 on: a keeps 50 of 100, b 10 of 60.
        #expect(records.count == 60 && counts.delivery.records == 60, "\(counts.summary)")
        #expect(records.allSatisfy { $0.recordKind == .close && $0.inetDiagMsgSocketSourcePort >= 40050 })
        #expect(records.filter { $0.netns == "a" }.count == 50 && records.filter { $0.netns == "b" }.count == 10)
    }

    @Test("close events: an overflowing queue (ENOBUFS from recvmmsg) is counted, the next batches are read")
    func closeOverflow() throws {
        let (listener, kernel, _) = try listening()
        let injector = FaultInjector()
        try SyscallSeam.with(injector) {
            injector.add(.recvmmsg, .fail(errno: ENOBUFS), times: 1)
            try listener.start()
            kernel.emitCloses("a", count: 40)
            kernel.emitCloses("b", count: 40)
            listener.stop()
        }
        kernel.stop()
        let (counts, _) = listener.take()
        #expect(injector.count == 1)
        #expect(counts.closes.overflows == 1 && counts.closes.events == 80, "\(counts.summary)")
        #expect(counts.summary.contains("closeOverflows=1"))
    }

    @Test("close events: a message longer than a receive slot is counted truncated, the others decoded")
    func closeTruncated() throws {
        let (listener, kernel, destination) = try listening()
        try listener.start()
        kernel.emitCloses("a", count: 10, oversized: true)
        listener.stop()
        kernel.stop()
        let (counts, _) = listener.take()
        #expect(counts.closes.events == 10 && counts.dumps.decode.truncatedMessages == 1, "\(counts.dumps.decode)")
        #expect(destination.records.count == 10)
    }

    /// A pcapng of two dumps, as `xtcp -capture` writes them: the request
    /// and replies of IPv4 (30 sockets, in two datagrams), then of IPv6
    /// (20), each ending in NLMSG_DONE, with `fault` instead of the IPv6
    /// dump's end if given.
    func capture(ipv6 fault: [UInt8]? = nil, interrupted: Bool = false) throws -> CaptureFile {
        let path = NSTemporaryDirectory() + "xtcp-fake-capture-\(getpid()).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapngWriter(path: path, application: "xtcp tests")
        func write(_ bytes: [UInt8], outgoing: Bool = false) throws {
            try bytes.withUnsafeBytes { raw in try Result { () throws(SystemError) in
                try writer.write(datagram: raw, outgoing: outgoing, timestampNanoseconds: 1_000_000_000)
            }.get() }
        }
        let flags: UInt16 = 0x2 | (interrupted ? 0x10 : 0)
        for (family, sockets, sequence) in [(UInt8(2), 30, UInt32(7)), (10, 20, 8)] {
            try write(InetDiagRequest(family: family == 2 ? .inet : .inet6, sequence: sequence).bytes, outgoing: true)
            for part in stride(from: 0, to: sockets, by: 16) {
                try write((part..<min(sockets, part + 16)).flatMap {
                    FakeKernel.socketMessage(family: family, sequence: sequence, namespace: "captured", index: $0, flags: flags)
                })
            }
            try write(family == 10 && fault != nil ? fault! : FakeKernel.done(sequence: sequence, flags: flags))
        }
        return try CaptureFile(path: path)
    }

    func replay(_ capture: CaptureFile, filter: String? = nil, states: String? = nil) throws -> (ReplayRunner.Summary, [FlatRecord]) {
        var config = DaemonConfig(identity: RecordIdentity(hostname: "replayed"))
        config.marshal = .protobufList
        if let filter { try config.setFilter(try SocketFilter(parsing: filter)) }
        if let states { config.states = try TCPStateSet(parsing: states) }
        let destination = RecordingDestination()
        let summary = ReplayRunner(config: config).run(capture, into: destination)
        return (summary, destination.records)
    }

    @Test("a capture: every socket of both dumps, each dump numbered as a poll, stamped with its capture time")
    func captureReplayed() throws {
        let (summary, records) = try replay(try capture())
        #expect(summary.counts.sockets == 50 && records.count == 50 && summary.problems.isEmpty)
        #expect(summary.counts.dumps.dumpsDone == 2 && summary.counts.dumps.decode.requestsSeen == 2)
        #expect(records.filter { $0.pollSequence == 1 }.count == 30 && records.filter { $0.pollSequence == 2 }.count == 20)
        #expect(records.allSatisfy { $0.hostname == "replayed" && $0.timestampNs == 1_000_000_000 })
    }

    @Test("a capture with -filter and -states: exactly the rows the matcher keeps")
    func captureSelected() throws {
        let all = try replay(try capture()).1
        let filter = "sport < :40010 or ( src ::1 and sport >= :40015 )"
        let (_, kept) = try replay(try capture(), filter: filter, states: "established")
        let matcher = try SocketFilter(parsing: filter)
        #expect(kept.count == 10 + 10 + 5 && kept.map(\.inetDiagMsgSocketCookie) == all.filter { matcher.matches($0) }.map(\.inetDiagMsgSocketCookie))
        #expect(try replay(try capture(), states: "listening").1.isEmpty, "every socket of the capture is established")
    }

    @Test("a capture whose dump ends in NLMSG_ERROR, or is cut short, or flagged NLM_F_DUMP_INTR: counted, the rest replayed")
    func captureFaults() throws {
        let (failed, failedRows) = try replay(try capture(ipv6: FakeKernel.error(EBUSY, sequence: 8)))
        #expect(failed.counts.dumps.dumpsFailed == 1 && failed.counts.dumps.netlinkErrors == [NetlinkError(kind: .nlmsgError, errno: EBUSY): 1])
        #expect(failedRows.count == 50 && failed.problems.contains { $0.contains("NLMSG_ERROR Device or resource busy") }, "\(failed.problems)")
        let (cut, cutRows) = try replay(try capture(ipv6: []))
        #expect(cut.counts.dumps.dumpsDone == 1 && cut.counts.sockets == 50 && cutRows.count == 50, "a dump without its end still replays")
        let (interrupted, _) = try replay(try capture(interrupted: true))
        #expect(interrupted.counts.dumps.decode.dumpInterrupted == 30 + 1 + 20 + 1, "every message flagged: \(interrupted.counts.dumps.decode)")
    }

    // MARK: Faults under a poll's system calls

    @Test("EINTR under a receive is retried, EAGAIN is a stall, a short read is a failed receive (ENOSPC)")
    func injectedSystemCallFaults() throws {
        let rig = try FakeKernelPollTests.Rig(.recvmsg, script: FakeKernelPollTests.sockets(inet: 40, inet6: 40))
        let injector = FaultInjector()
        SyscallSeam.with(injector) {
            injector.add(.recvmsg, .fail(errno: EINTR), times: 5)
            let (retried, problems) = rig.poll()
            #expect(injector.count == 5 && retried.dumps.dumpsDone == 6 && problems.isEmpty, "\(retried.summary)")
            injector.add(.recvmsg, .fail(errno: EAGAIN))
            let (stalled, _) = rig.poll()
            #expect(stalled.dumps.dumpsStalled == 1 && stalled.dumps.dumpsDone == 5, "\(stalled.summary)")
            injector.add(.recvmsg, .shortTransfer(100))
            let (short, shortProblems) = rig.poll()
            #expect(short.dumps.dumpsFailed == 1 && short.dumps.netlinkErrors == [NetlinkError(kind: .receive, errno: ENOSPC): 1], "\(short.summary)")
            #expect(shortProblems.count == 1, "\(shortProblems)")
        }
        let ring = try FakeKernelPollTests.Rig(.ringPerDatagram, script: FakeKernelPollTests.sockets(inet: 40, inet6: 40))
        SyscallSeam.with(injector) {
            injector.add(.ioUringSubmit, .fail(errno: EINTR), times: 3)
            let (counts, problems) = ring.poll()
            #expect(counts.dumps.dumpsDone == 6 && problems.isEmpty, "\(counts.summary) \(problems)")
        }
    }
}
