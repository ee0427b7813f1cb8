import Foundation
import Synchronization
import Testing
import TestSupport

/// Outputs that block for as long as their reader likes, or whose reader
/// goes away, and descriptors that were never there: none hangs xtcp,
/// kills it, or has it count `delivered` what nobody got.
@Suite("A stdout whose reader stops, leaves or was never there (live)", .serialized)
struct BlockedOutputTests {
    /// xtcp with stdout a pipe of the test's, stderr a file.
    final class PipedRun {
        let process = Process()
        let stdout = Pipe()
        let stderrPath = NSTemporaryDirectory() + "xtcp-piped-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        init(_ command: [String]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
            process.standardOutput = stdout
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
        }

        deinit { try? FileManager.default.removeItem(atPath: stderrPath) }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// Waits (up to 30 s) for a line of stderr starting with `prefix`.
        func waitFor(_ prefix: String) -> Bool {
            for _ in 0..<300 {
                if stderr.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return false
        }
    }

    @Test("a stdout pipe whose reader stops, then reads again: batches that find no room by the poll's deadline are dropped (stalled), one begun is finished first, then delivery goes on; SIGTERM ends it within -timeout; the pipe holds whole frames only")
    func stalledReader() throws {
        // 802 sockets: about 150 KB a poll, more than a pipe's 64 KiB.
        try withSocketFarm("small_farm.py", ["200"]) { ns, _ in
            let run = try PipedRun(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-timeout", "500ms",
                                            "-envelopeFlushBytes", "8192", "-marshal", "protobufList", "-dest", "stdout", "-promListen", "off"]))
            #expect(run.waitFor("poll 4:"), "\(run.stderr)")
            // The reader comes back: everything from here on is read.
            let drained = Mutex<[UInt8]>([])
            let handle = run.stdout.fileHandleForReading
            let reader = Thread {
                let bytes = handle.readDataToEndOfFile()
                drained.withLock { $0 = [UInt8](bytes) }
            }
            reader.start()
            #expect(run.waitFor("poll 8:"))
            let signalled = Date()
            kill(run.process.processIdentifier, SIGTERM)
            run.process.waitUntilExit()
            let exitedAfter = Date().timeIntervalSince(signalled)
            #expect(run.process.terminationStatus == 0 && exitedAfter < 0.5 + 1, "exit \(run.process.terminationStatus) \(exitedAfter) s after SIGTERM")
            let lines = run.stderr.split(separator: "\n")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary.droppedEnvelopes["stalled"] ?? 0 >= 1, "\(lines.suffix(2))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(lines.suffix(1))")
            let resumed = lines.filter { $0.hasPrefix("poll 7:") || $0.hasPrefix("poll 8:") }.map { XTCPSummary(line: String($0)) }
            #expect(resumed.count == 2 && resumed.allSatisfy { $0.envelopesDropped == 0 && $0["delivered"] > 0 }, "\(lines.suffix(4))")
            var bytes: [UInt8] = []
            for _ in 0..<100 where bytes.isEmpty {
                Thread.sleep(forTimeInterval: 0.05)
                bytes = drained.withLock { $0 }
            }
            let frames = try #require(ProtobufList.envelopes(bytes), "whole frames only in the pipe (\(bytes.count) bytes)")
            #expect(UInt64(frames.count) == summary["delivered"], "\(frames.count) frames in the pipe; \(summary["delivered"]) delivered")
        }
    }

    @Test("the reader of stdout goes away (xtcp -dest stdout | head): EPIPE, one line saying so, the run ends with exit 5, no SIGPIPE death")
    func readerGone() throws {
        try withSocketFarm("small_farm.py", ["20"]) { ns, _ in
            let run = try PipedRun(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-pollJitterPct", "0",
                                            "-marshal", "jsonl", "-dest", "stdout", "-promListen", "off"]))
            _ = run.stdout.fileHandleForReading.readData(ofLength: 100)
            try run.stdout.fileHandleForReading.close()
            run.process.waitUntilExit()
            #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 5, "\(run.process.terminationStatus): \(run.stderr)")
            #expect(run.stderr.contains("stdout: its reader has gone (EPIPE): nothing more can be written: the run ends"), "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr))
            // The first batch may be the one cut (it is larger than the pipe).
            #expect(summary.droppedEnvelopes["write error"] ?? 0 >= 1 && summary["delivered"] + summary.envelopesDropped == summary["envelopes"],
                    "\(run.stderr)")
        }
    }

    @Test("started with stdout closed: -dest stdout refused (exit 3); with another -dest, no socket takes descriptor 1 and the file is whole")
    func closedStdout() throws {
        let refused = try Shell.capture(["bash", "-c", "exec \"$@\" >&-", "_", Paths.xtcp, "-namespaces", "own", "-maxLoops", "1",
                                         "-promListen", "off", "-dest", "stdout"], timeout: 30)
        #expect(refused.status == 3 && refused.stderr.contains("started with its stdout closed"), "\(refused.status): \(refused.stderr)")

        let file = NSTemporaryDirectory() + "xtcp-closed-stdout-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let xtcp = try LineProcess(["bash", "-c", "exec \"$@\" >&- <&-", "_", Paths.xtcp, "-namespaces", "own", "-frequency", "200ms",
                                    "-maxLoops", "4", "-promListen", "127.0.0.1:19197", "-dest", "file:\(file)"], readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
        for descriptor in 0...1 {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(xtcp.processIdentifier)/fd/\(descriptor)")
            #expect(target == "/dev/null", "descriptor \(descriptor) is \(target)")
        }
        #expect(xtcp.finish() == 0)
        let summary = try #require(XTCPSummary.final(of: xtcp.lines.joined(separator: "\n")))
        let frames = try #require(ProtobufList.envelopes([UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))))
        #expect(UInt64(frames.count) == summary["delivered"] && summary["delivered"] == summary["envelopes"] && summary["delivered"] >= 4)
    }
}
