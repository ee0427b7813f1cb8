import Foundation
import Testing
import TestSupport

@Suite("Kernel-side faults: counted, said in their poll's line, and the next poll complete (live kernel)", .serialized)
struct KernelFaultTests {
    @Test("a dump held past -timeout (xtcp stopped mid-dump): counted, said once in its poll's line, and the polls after it are whole")
    func dumpPastTheTimeout() throws {
        try withSocketFarm("loopback_farm.py", ["5000", "127.0.0.1", "900"]) { ns, farm in
            let farmSockets = 10_001  // 5,000 connections, both ends, and the listener
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-timeout", "300ms", "-pollJitterPct", "0",
                                                "-netlinkers", "1", "-maxLoops", "120", "-dest", "null", "-promListen", "off"]), readsStderr: true)  // -maxLoops: ends within a minute whatever happens
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            let polls = { (line: String) in line.hasPrefix("poll ") && line.contains(" ms namespaces=") }
            #expect(xtcp.waitForLine { polls($0) && $0.contains("sockets=\(farmSockets) ") } != nil, "\(xtcp.lines)")

            // SIGSTOP for longer than -timeout, at a random moment, until one
            // lands inside a dump: when xtcp runs again the poll's deadline has
            // passed and the dump is abandoned, as a dump the kernel is slow to
            // finish would be.
            var cut: String?
            let clock = ContinuousClock()
            var lastResumed = clock.now
            for _ in 0..<40 where cut == nil {
                usleep(UInt32.random(in: 0..<500_000))
                kill(xtcp.processIdentifier, SIGSTOP)
                usleep(400_000)
                kill(xtcp.processIdentifier, SIGCONT)
                lastResumed = clock.now
                if let line = xtcp.waitForLine(where: polls), line.contains("dumpsTimedOut=") { cut = line }
            }
            let line = try #require(cut, "no stop landed inside a dump in 40 tries: \(xtcp.lines.suffix(5))")
            let summary = XTCPSummary(line: line)
            #expect(summary["dumpsTimedOut"] >= 1 && summary["sockets"] < UInt64(farmSockets), "\(line)")  // the IPv4 shard, and the IPv6 one if it had not begun
            let number = line.split(separator: ":")[0]
            #expect(xtcp.lines.filter { $0.hasPrefix(number + ":") }.count == 1, "one line for that poll: \(xtcp.lines.suffix(4))")

            // The polls after it: every socket, nothing cut, no stall. The
            // line read may be a poll before the last stop (lines are read
            // as they come, the stops land at random): the polls that count
            // are those that end a second (two periods) after the last stop
            // ended, and so began after it.
            while clock.now < lastResumed + .seconds(1) { _ = xtcp.waitForLine(where: polls) }
            for _ in 0..<2 {
                let next = try #require(xtcp.waitForLine(where: polls))
                #expect(next.contains("sockets=\(farmSockets) ") && !next.contains("dumpsTimedOut") && !next.contains("dumpsStalled"), "\(next)")
            }
        }
    }

    @Test("a namespace deleted in the middle of its 100,000-socket dump (bind mount gone, every socket closed): no crash, no failure, the next polls whole without it")
    func namespaceDeletedMidDump() throws {
        let ns = try TestNamespace()
        var removed = false
        defer { if !removed { ns.remove() } }
        let farms = try ShutdownTests.largeFarm(in: ns)
        var stopped = false
        defer { if !stopped { farms.forEach { $0.stop() } } }
        let period = 4.0
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "\(Int(period))s", "-pollJitterPct", "0", "-netlinkers", "2", "-maxLoops", "8",
                                    "-dest", "null", "-promListen", "off"], readsStderr: true)
        defer { kill(xtcp.processIdentifier, SIGTERM); _ = xtcp.finish() }
        let polls = { (line: String) in line.hasPrefix("poll ") && line.contains(" ms namespaces=") }
        let first = try #require(xtcp.waitForLine(where: polls))
        #expect(XTCPSummary(line: first)["sockets"] >= 100_008, "\(first)")
        let namespaces = XTCPSummary(line: first)["namespaces"]
        // Into poll 2's dump of the farm (it takes most of the poll), stop
        // xtcp, delete the namespace and close every socket, and let it go on.
        PollTiming.sleepIntoNextPoll(after: first, period: period)
        kill(xtcp.processIdentifier, SIGSTOP)
        farms.forEach { $0.stop() }
        stopped = true
        ns.remove()
        removed = true
        kill(xtcp.processIdentifier, SIGCONT)

        let cut = try #require(xtcp.waitForLine(where: polls))
        #expect(cut.hasPrefix("poll 2:") && XTCPSummary(line: cut)["sockets"] < 100_008, "the dump saw the sockets go: \(cut)")
        for _ in 0..<2 {
            let next = try #require(xtcp.waitForLine(where: polls))
            #expect(XTCPSummary(line: next)["namespaces"] == namespaces - 1, "released: \(next)")
        }
        kill(xtcp.processIdentifier, SIGTERM)
        #expect(xtcp.finish() == 0)
        #expect(!xtcp.lines.contains { $0.contains("dumpsFailed") || $0.contains("dumpsStalled") || $0.contains("level=") },
                "\(xtcp.lines.filter { $0.contains("dumps") || $0.contains("level=") })")
    }
}
