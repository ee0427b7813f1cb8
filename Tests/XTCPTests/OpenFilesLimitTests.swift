import Foundation
import Testing
import TestSupport

/// Many namespaces against a low RLIMIT_NOFILE: the soft limit is raised
/// to the hard one, and what a low hard limit still costs is said once.
@Suite("Open files: the soft limit raised to the hard one; exhaustion said in one line, not one a namespace (live)", .serialized)
struct OpenFilesLimitTests {
    static let count = 300

    static func withNamespaces(_ body: () throws -> Void) throws {
        let names = (0..<count).map { "xtcp-nofile-\(getpid())-\($0)" }
        defer { for name in names { _ = try? Shell.run(["ip", "netns", "del", name]) } }
        for name in names { try Shell.run(["ip", "netns", "add", name]) }
        try body()
    }

    @Test("under a soft limit of 64 and a hard one of 20,000: raised at start, every namespace dumped")
    func raised() throws {
        try Self.withNamespaces {
            let xtcp = try LineProcess(["prlimit", "--nofile=64:20000", Paths.xtcp, "-frequency", "300ms", "-pollJitterPct", "0",
                                        "-promListen", "off", "-dest", "null"], readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            let first = try #require(xtcp.waitForLine { $0.hasPrefix("poll 2:") && $0.contains(" ms namespaces=") }, "\(xtcp.lines)")
            let limits = try String(contentsOfFile: "/proc/\(xtcp.processIdentifier)/limits", encoding: .utf8)
            let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(openFiles?[3] == "20000" && openFiles?[4] == "20000", "\(openFiles ?? [])")
            #expect(XTCPSummary(line: first)["namespaces"] >= UInt64(Self.count) && !first.contains("dumpsFailed"), "\(first)")
        }
    }

    @Test("under a hard limit of 64: dumps fail, counted, said in one line a netlinker a poll with the limit, not one a namespace")
    func exhausted() throws {
        try Self.withNamespaces {
            let run = try Shell.capture(["prlimit", "--nofile=64:64", Paths.xtcp, "-maxLoops", "2", "-frequency", "1s", "-pollJitterPct", "0",
                                         "-promListen", "off", "-dest", "null"], timeout: 60)
            #expect(run.status == 0, "\(run.stderr.suffix(500))")
            let lines = run.stderr.split(separator: "\n")
            let netlinkers = try #require(XTCPSummary.netlinkers(in: run.stderr))
            let summary = try #require(XTCPSummary.final(of: run.stderr))
            #expect(summary["dumpsFailed"] > 100, "\(lines.suffix(3))")
            for poll in 1...2 {
                let said = lines.filter { $0.hasPrefix("poll \(poll): ") && $0.contains("Too many open files") }
                #expect(said.count >= 1 && said.count <= netlinkers, "poll \(poll): \(said.count) lines")
                #expect(said.allSatisfy { $0.contains("dumps not begun: Too many open files (open files limit 64)") }, "\(said)")
            }
        }
    }
}
