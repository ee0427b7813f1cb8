import Foundation
import Platform
import Netlink
import RecordFmt
import Testing
import TestSupport
@testable import XTCP
import Profiler
#if canImport(Glibc)
import Glibc
#endif

@Suite("-changesOnly: only what changed, and a full snapshot every -fullEvery polls", .serialized)
struct ChangeOnlyTests {
    /// xtcp polling the farm's namespace every 400 ms with -changesOnly,
    /// records to a file.
    func xtcp(in ns: TestNamespace, output: String, polls: Int, fullEvery: Int, path: ReceivePath) throws -> LineProcess {
        try LineProcess(ns.exec([
            Paths.xtcp, "-frequency", "400ms", "-pollJitterPct", "0", "-maxLoops", "\(polls)", "-namespaces", "own",
            "-promListen", "off", "-netlinkers", "2", "-cpus", "2", "-changesOnly", "-fullEvery", "\(fullEvery)",
            "-dest", "file:\(output)", "-marshal", "protobufList",
        ] + path.flags), readsStderr: true)
    }

    func records(_ output: String) throws -> [FlatRecord] {
        try #require(try ProtobufList.records(inFile: output))
    }

    @Test("an idle farm: polls 1, 4 and 7 send every socket, the others nothing", arguments: ReceivePath.allCases)
    func idle(path: ReceivePath) throws {
        try withSocketFarm("change_farm.py", ["100"]) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-changes-idle-\(path.tag)-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }

            let run = try xtcp(in: ns, output: output, polls: 7, fullEvery: 3, path: path)
            #expect(run.finish() == 0, "\(run.lines.suffix(3))")
            let expected = try SocketKey.ssKeys(in: ns)
            #expect(expected.count == 2 + 2 * 200)
            let all = try records(output)
            for poll in UInt64(1)...7 {
                let rows = all.filter { $0.pollSequence == poll }
                if [1, 4, 7].contains(poll) {
                    #expect(Set(rows.map(SocketKey.key)) == Set(expected) && rows.count == expected.count, "poll \(poll): \(rows.count) rows")
                    #expect(rows.allSatisfy { $0.recordKind == .poll })
                } else {
                    #expect(rows.isEmpty, "poll \(poll): \(rows.count) rows of an idle farm: \(rows.prefix(2).map(SocketKey.key))")
                }
            }
            // Every poll's line counts what it did not send.
            let unchanged = run.lines.filter { $0.hasPrefix("poll ") && $0.contains("unchanged=\(expected.count)") }
            #expect(unchanged.count == 4, "\(run.lines.filter { $0.hasPrefix("poll ") })")
        }
    }

    @Test("traffic on k connections: exactly their 2k sockets are sent, once, as changes", arguments: ReceivePath.allCases)
    func traffic(path: ReceivePath) throws {
        try withSocketFarm("change_farm.py", ["100"]) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-changes-traffic-\(path.tag)-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }

            let run = try xtcp(in: ns, output: output, polls: 7, fullEvery: 1000, path: path)
            // Just after poll 3: 7 connections over IPv4 and IPv6 (95..101) carry 1000 bytes each.
            #expect(run.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            let answer = try #require(farm.ask("send 95 7"))
            let touched = answer.split(separator: " ").dropFirst().map(String.init)
            #expect(touched.count == 14 && Set(touched).count == 14, "\(answer)")
            #expect(run.finish() == 0, "\(run.lines.suffix(3))")

            let all = try records(output)
            #expect(all.filter { $0.pollSequence == 1 }.count == 2 + 2 * 200)
            #expect(all.filter { (2...3).contains($0.pollSequence) }.isEmpty)
            let after = all.filter { $0.pollSequence >= 4 }
            let keys = after.map(SocketKey.key)
            #expect(Set(keys) == Set(touched) && keys.count == touched.count,
                    "after the traffic: \(keys.count) rows; not touched: \(Set(keys).subtracting(touched).sorted().prefix(3)); missing: \(Set(touched).subtracting(keys).sorted().prefix(3))")
            #expect(after.allSatisfy { $0.recordKind == .change && $0.pollSequence == 4 })
            // The senders' last record has every byte acknowledged.
            #expect(after.filter { $0.tcpInfoBytesAcked >= 1001 }.count == 7)
        }
    }

    @Test("the table: memory per socket, forgetting closed sockets, and what counts as a change")
    func table() {
        var table = ChangeTable(rttPercent: 10)
        var record = FlatRecord()
        record.inetDiagMsgState = 1
        record.tcpInfoRtt = 1000
        let sockets = 100_000
        let before = MallocStatistics.bytesInUse()
        table.begin()
        var sent = 0
        for cookie in 1...UInt64(sockets) {
            record.inetDiagMsgSocketCookie = cookie
            if table.shouldSend(record, full: false) { sent += 1 }
        }
        table.end(complete: true)
        #expect(sent == sockets, "every new socket is sent")
        let bytesPerSocket = Double(Int64(MallocStatistics.bytesInUse()) - Int64(before)) / Double(sockets)
        print("change table: \(String(format: "%.1f", bytesPerSocket)) bytes per socket at \(sockets) sockets")
        #expect(bytesPerSocket < 80, "\(bytesPerSocket) bytes per socket")

        // Unchanged, a timer moved, RTT within 10 %: not sent.
        table.begin()
        record.inetDiagMsgSocketCookie = 7
        record.tcpInfoLastDataRecv = 5000
        record.tcpInfoRtt = 1090
        do { let sent = table.shouldSend(record, full: false); #expect(!sent) }
        do { let sent = table.shouldSend(record, full: true); #expect(sent, "a full snapshot sends every socket") }
        record.tcpInfoRtt = 1300  // beyond 10 % of the 1090 last sent
        do { let sent = table.shouldSend(record, full: false); #expect(sent) }
        record.tcpInfoBytesAcked = 1
        do { let sent = table.shouldSend(record, full: false); #expect(sent) }
        do { let sent = table.shouldSend(record, full: false); #expect(!sent) }
        record.tcpInfoSndCwnd = 20
        do { let sent = table.shouldSend(record, full: false); #expect(sent) }
        record.inetDiagMsgState = 8
        do { let sent = table.shouldSend(record, full: false); #expect(sent) }
        // Only cookie 7 was seen by this complete dump: the rest are forgotten.
        table.end(complete: true)
        #expect(table.count == 1)
        // An incomplete dump forgets nothing.
        table.begin()
        table.end(complete: false)
        #expect(table.count == 1)
    }
}
