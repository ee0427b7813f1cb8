import Foundation
import Testing
import TestSupport

/// What each signal an operator (or logrotate, or a stray `kill`) sends
/// does to a running daemon: none kills it without its flush and summary.
@Suite("Signals: SIGHUP reopens files (logrotate), SIGUSR1 says the totals, the rest end it cleanly or are ignored (live)", .serialized)
struct SignalTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "xtcp-signals-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func lines(_ path: String) throws -> [Substring] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    @Test("logrotate's three ways mid-run (mv then SIGHUP, rm then SIGHUP, copytruncate): one line each, rows in the old plus the new files = rows encoded, no NUL")
    func rotation() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/xtcp.jsonl"
        try withSocketFarm("small_farm.py", ["30"]) { ns, _ in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-pollJitterPct", "0",
                                                "-marshal", "jsonl", "-dest", "file:\(output)", "-promListen", "off"]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil, "\(xtcp.lines)")

            // mv, then SIGHUP (between two polls, as logrotate's
            // postrotate does it): the new file takes the next polls.
            try FileManager.default.moveItem(atPath: output, toPath: output + ".1")
            kill(xtcp.processIdentifier, SIGHUP)
            #expect(xtcp.waitForLine { $0.contains("SIGHUP") } == "xtcp: SIGHUP: reopened file:\(output)")
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 6:") } != nil)
            #expect(FileManager.default.fileExists(atPath: output), "a new file after mv")

            // rm, then SIGHUP: writes go to a new file, not a deleted one.
            // (A second link keeps the removed file's rows to count.)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 7:") } != nil)
            #expect(link(output, output + ".removed") == 0)
            try FileManager.default.removeItem(atPath: output)
            kill(xtcp.processIdentifier, SIGHUP)
            #expect(xtcp.waitForLine { $0.contains("SIGHUP") } == "xtcp: SIGHUP: reopened file:\(output)")
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 10:") } != nil)

            // copytruncate, in the gap between two polls (each takes a few
            // ms of the 200; rows written between the copy and the truncate
            // would be lost, as logrotate warns): copied, then emptied in place; xtcp goes on at the new end (O_APPEND), not
            // at its old offset behind a NUL-filled hole.
            try FileManager.default.copyItem(atPath: output, toPath: output + ".2")
            #expect(truncate(output, 0) == 0)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 13:") } != nil)
            kill(xtcp.processIdentifier, SIGTERM)
            #expect(xtcp.finish() == 0)

            let summary = try #require(XTCPSummary.final(of: xtcp.lines.joined(separator: "\n")))
            let fresh = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(fresh.first != 0 && !fresh.contains(0), "no NUL-filled hole after copytruncate")
            let rows = try [".1", ".removed", ".2", ""].reduce(0) { $0 + (try Self.lines(output + $1).count) }
            #expect(rows == Int(summary["records"]), "\(rows) rows in the files, \(summary["records"]) encoded")
            #expect(try Self.lines(output).allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
        }
    }

    @Test("SIGUSR1 says the totals; SIGUSR2 and SIGALRM are ignored with a line; SIGQUIT ends the run as SIGTERM does (flushed, summary, exit 0)")
    func otherSignals() throws {
        try withSocketFarm("small_farm.py", ["5"]) { ns, _ in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "off"]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
            kill(xtcp.processIdentifier, SIGUSR1)
            let report = try #require(xtcp.waitForLine { $0.contains("SIGUSR1") })
            #expect(report.hasPrefix("xtcp: SIGUSR1: ") && report.contains(" polls so far: ") && report.contains("delivered="), "\(report)")
            for (signal, name) in [(SIGUSR2, "SIGUSR2"), (SIGALRM, "SIGALRM")] {
                kill(xtcp.processIdentifier, signal)
                #expect(xtcp.waitForLine { $0.contains(name) }?.hasPrefix("xtcp: \(name) ignored") == true, "\(xtcp.lines.suffix(2))")
            }
            let polled = xtcp.lines.count
            #expect(xtcp.waitForLine { $0.hasPrefix("poll ") } != nil && xtcp.lines.count > polled, "still polling")
            kill(xtcp.processIdentifier, SIGQUIT)
            #expect(xtcp.finish() == 0)
            #expect(xtcp.lines.last?.contains("ended by SIGQUIT") == true, "\(xtcp.lines.suffix(2))")
            #expect(!xtcp.lines.contains { $0.contains("crashed") })
        }
    }
}
