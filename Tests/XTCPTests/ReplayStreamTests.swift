import Foundation
import Testing
import TestSupport

/// `-replay` reads its input as a stream: a file of any size, or of no end,
/// in the memory of its largest record.
@Suite("-replay in bounded memory: a stream of no end, /dev/zero (live)", .serialized)
struct ReplayStreamTests {
    static func residentKilobytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }

    @Test("/dev/zero: refused at once, one line, exit 1 (it is no capture), not read to no end")
    func devZero() throws {
        let run = try Shell.capture([Paths.xtcp, "-replay", "/dev/zero", "-dest", "null"], timeout: 10)
        #expect(run.status == 1 && run.stderr == "xtcp: /dev/zero: neither a LINKTYPE_NETLINK pcap nor an `ss -D` netlink dump\n", "\(run.status): \(run.stderr)")
    }

    @Test("a pcap of no end through a pipe: read and decoded as it comes, resident memory flat while hundreds of MB go through")
    func endlessPipe() throws {
        let capture = Paths.xtcp2Captures + "/6_10_3/6_10_3_tcp_1000_sockets.pcap"
        let xtcp = try LineProcess(["bash", "-c", "python3 \"$1\" \"$2\" 2>/dev/null | exec \"$0\" -replay /dev/stdin -dest null",
                                    Paths.xtcp, Paths.packageRoot + "/Tests/Scripts/endless_capture.py", capture], readsStderr: true)
        // The pipeline's last process is xtcp (exec), a child of bash.
        var pid: Int32?
        for _ in 0..<50 where pid == nil {
            Thread.sleep(forTimeInterval: 0.1)
            let children = (try? String(contentsOfFile: "/proc/\(xtcp.processIdentifier)/task/\(xtcp.processIdentifier)/children", encoding: .utf8)) ?? ""
            pid = children.split(separator: " ").compactMap { Int32($0) }.first { child in
                ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child)/exe")) ?? "").hasSuffix("/xtcp")
            }
        }
        guard let replaying = pid else {
            kill(xtcp.processIdentifier, SIGKILL)
            Issue.record("xtcp's pid not found under bash \(xtcp.processIdentifier)")
            return
        }
        // Whatever happens below, nothing is left running.
        defer { kill(replaying, SIGKILL) }
        Thread.sleep(forTimeInterval: 2)
        let early = try #require(Self.residentKilobytes(replaying))
        let readEarly = try Self.bytesRead(replaying)
        Thread.sleep(forTimeInterval: 3)
        let late = try #require(Self.residentKilobytes(replaying))
        let readLate = try Self.bytesRead(replaying)
        #expect(readLate - readEarly > 50_000_000, "\(readLate - readEarly) bytes read in 3 s")
        #expect(late < 100_000 && late - early < 8_000, "resident \(early) kB, then \(late) kB, after \(readLate / 1_000_000) MB read")
        print("replay of an endless pipe: \(readLate / 1_000_000) MB read, resident \(early) kB then \(late) kB")

        // SIGTERM ends the reading (the test runner's blocked mask is not
        // inherited as it is): what was read is delivered and said, exit 0.
        kill(replaying, SIGTERM)
        var ended = false
        for _ in 0..<50 where !ended {
            Thread.sleep(forTimeInterval: 0.1)
            ended = !FileManager.default.fileExists(atPath: "/proc/\(replaying)/exe")
                || ((try? String(contentsOfFile: "/proc/\(replaying)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
        }
        #expect(ended, "xtcp still replaying 5 s after SIGTERM")
        if !ended { kill(replaying, SIGKILL) }
        let status = xtcp.finish()
        let summary = xtcp.lines.last ?? ""
        #expect(status == 0 && summary.contains("stopped by SIGTERM before its end"), "\(status): \(xtcp.lines.suffix(3))")
    }

    /// Bytes the process has read (rchar).
    static func bytesRead(_ pid: Int32) throws -> Int {
        let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        return io.split(separator: "\n").first { $0.hasPrefix("rchar:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }
}
