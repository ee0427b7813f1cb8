import Foundation
import Testing
import TestSupport

@Suite("Shutdown: SIGTERM in the middle of a large dump, SIGKILL and restart (live kernel)", .serialized)
struct ShutdownTests {
    /// 100,008 sockets in one namespace: 6 farm processes of 8,334
    /// connections (a process may hold 20,000 files here), the namespace's
    /// ephemeral ports widened as the benchmark farms do.
    static func largeFarm(in ns: TestNamespace) throws -> [SocketFarm] {
        try Shell.run(ns.exec(["sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65000"]))
        return try (0..<6).map { index in
            try SocketFarm(in: ns, script: "loopback_farm.py", arguments: ["8334", index % 2 == 0 ? "127.0.0.1" : "::1", "\(900 + index)"])
        }
    }

    @Test("SIGTERM during a 100,000-socket dump: exit 0 within 5 s, and every record decoded is in the file")
    func sigtermMidDump() throws {
        try withTestNamespace { ns in
            let farms = try Self.largeFarm(in: ns)
            defer { farms.forEach { $0.stop() } }
            let file = NSTemporaryDirectory() + "xtcp-sigterm-\(getpid()).bin"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let period = 4.0
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "\(Int(period))s", "-pollJitterPct", "0",
                                                "-netlinkers", "2", "-maxLoops", "20", "-dest", "file:" + file, "-promListen", "off"]),
                                       readsStderr: true)
            let first = try #require(xtcp.waitForLine { $0.hasPrefix("poll 1: ") && $0.contains(" ms namespaces=") }, "\(xtcp.lines)")
            let firstSummary = XTCPSummary(line: first)
            #expect(firstSummary["sockets"] >= 100_008, "\(first)")
            // SIGTERM a third of the way into the second poll.
            PollTiming.sleepIntoNextPoll(after: first, period: period)
            let signalled = Date()
            kill(xtcp.processIdentifier, SIGTERM)
            let status = xtcp.finish()
            let exitedAfter = Date().timeIntervalSince(signalled)
            #expect(status == 0 && exitedAfter < 5, "exit \(status) after \(exitedAfter) s")
            let last = xtcp.lines.last ?? ""
            #expect(last.contains("2 polls, ended by SIGTERM"), "the signal came during poll 2: \(xtcp.lines.suffix(3))")
            let totals = XTCPSummary(line: last)
            // Every record decoded was written: none dropped, and the file holds them all.
            #expect(totals.envelopesDropped == 0 && totals["delivered"] == totals["envelopes"], "\(last)")
            let records = try #require(ProtobufList.records(Array(try Data(contentsOf: URL(fileURLWithPath: file)))))
            #expect(UInt64(records.count) == totals["records"] && totals["records"] == totals["sockets"], "\(records.count) in the file; \(last)")
            #expect(Set(records.map(\.pollSequence)) == [1, 2])
            print("sigterm mid-dump: poll 1 took \(PollTiming.milliseconds(of: first)) ms; exit \(status) \(String(format: "%.2f", exitedAfter)) s after the signal; \(records.count) records in the file")
        }
    }

    @Test("SIGKILL mid-run, then a restart: no state to repair, the new run polls whole from its first poll")
    func sigkillAndRestart() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let farm = try SocketFarm(in: ns, script: "loopback_farm.py", arguments: ["2000", "127.0.0.1", "900"])
        defer { farm.stop() }
        let arguments = [Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-dest", "null", "-promListen", "127.0.0.1:19192"]
        let killed = try LineProcess(ns.exec(arguments), readsStderr: true)
        #expect(killed.waitForLine { $0.hasPrefix("poll 3:") } != nil)
        kill(killed.processIdentifier, SIGKILL)
        #expect(killed.finish() == 128 + SIGKILL || killed.finish() == SIGKILL, "killed")
        // The same listener port, at once: nothing left behind holds it.
        let again = try LineProcess(ns.exec(arguments + ["-maxLoops", "2"]), readsStderr: true)
        #expect(again.finish() == 0, "\(again.lines)")
        let polls = again.lines.filter { $0.hasPrefix("poll ") && $0.contains(" ms namespaces=") }
        #expect(polls.count == 2 && polls.allSatisfy { $0.contains("sockets=4002 ") || $0.contains("sockets=4003 ") }, "\(again.lines)")
    }
}
