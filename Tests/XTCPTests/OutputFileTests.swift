import Foundation
import Platform
import Testing
import TestSupport

/// `-dest file:` as a root daemon must write it: appended, never through a
/// link nor into another user's file, 0640, opened after every other start
/// check, and only ever whole batches in it.
@Suite("-dest file: safe to open, never truncated by a failed start, whole batches only (live)", .serialized)
struct OutputFileTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "xtcp-output-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func envelopes(_ path: String) throws -> [ArraySlice<UInt8>]? {
        ProtobufList.envelopes(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("a second xtcp that fails to start (its port taken) leaves the first one's file alone: the file stays whole")
    func failedStartLeavesTheFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/out.bin"
        try withSocketFarm("small_farm.py", ["20"]) { ns, _ in
            let first = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "300ms", "-pollJitterPct", "0",
                                                 "-dest", "file:\(output)", "-promListen", "127.0.0.1:19196"]), readsStderr: true)
            defer { kill(first.processIdentifier, SIGTERM); first.finish() }
            #expect(first.waitForLine { $0.hasPrefix("poll 2:") } != nil, "\(first.lines)")
            let before = try Syscall.fileStatus(path: output).size
            let second = try Shell.capture(ns.exec([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-dest", "file:\(output)",
                                                    "-promListen", "127.0.0.1:19196"]))
            #expect(second.status == 1 && second.stderr.contains("cannot listen"), "\(second.stderr)")
            #expect(try Syscall.fileStatus(path: output).size >= before, "the running daemon's output was not emptied")
            #expect(first.waitForLine { $0.hasPrefix("poll 4:") } != nil)
            kill(first.processIdentifier, SIGTERM)
            #expect(first.finish() == 0)
            let summary = try #require(XTCPSummary.final(of: first.lines.joined(separator: "\n")))
            let framed = try #require(try envelopes(output), "the file is whole frames")
            #expect(UInt64(framed.count) == summary["delivered"], "\(framed.count) envelopes in the file, \(summary["delivered"]) delivered")
        }
    }

    @Test("a symbolic link, another user's file: refused with one line, exit 3, nothing written; a new file is 0640; a rerun appends")
    func unsafeFilesRefused() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/root-owned"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: target)
        let linked = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "file:\(dir)/link"])
        #expect(linked.status == 3 && linked.stderr.split(separator: "\n").count == 1 && linked.stderr.contains("symbolic link"), "\(linked.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")

        let theirs = dir + "/theirs"
        try Data().write(to: URL(fileURLWithPath: theirs))
        #expect(chown(theirs, 65534, 65534) == 0)
        let owned = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "file:\(theirs)"])
        #expect(owned.status == 3 && owned.stderr.contains("owned by uid 65534"), "\(owned.stderr)")
        #expect(try Syscall.fileStatus(path: theirs).size == 0)

        let fresh = dir + "/fresh.bin"
        for run in 1...2 {
            let result = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "file:\(fresh)"])
            #expect(result.status == 0, "run \(run): \(result.stderr)")
        }
        #expect(try Syscall.fileStatus(path: fresh).mode & 0o777 == 0o640)
        #expect(try envelopes(fresh)?.count == 2, "the second run appended to the first")
    }

    @Test("a torn last batch left by a crash is cut off when the file is opened; the new batches follow the whole ones")
    func tornTailCutAtOpen() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/out.bin"
        #expect(try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "2", "-frequency", "100ms", "-promListen", "off",
                                   "-dest", "file:\(output)"]).status == 0)
        let whole = try Syscall.fileStatus(path: output).size
        // Half a frame: a length of 1,000 bytes and 10 of them.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try handle.seekToEnd()
        try handle.write(contentsOf: [0xE8, 0x07] + [UInt8](repeating: 0x55, count: 10))
        try handle.close()
        #expect(try envelopes(output) == nil, "torn")
        #expect(try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off",
                                   "-dest", "file:\(output)"]).status == 0)
        #expect(try envelopes(output)?.count == 3, "two whole, the torn one gone, one new")
        #expect(try Syscall.fileStatus(path: output).size > whole)
    }

    @Test("a full disk: a batch that does not fit is cut back and counted dropped; once there is room, whole batches follow")
    func fullDisk() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Shell.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir])
        defer { _ = try? Shell.run(["umount", dir]) }
        // All but 30 KiB taken: the first poll's 60 KiB of records does not fit.
        try Shell.run(["dd", "if=/dev/zero", "of=\(dir)/filler", "bs=1024", "count=\(1024 - 30)", "status=none"])
        let output = dir + "/out.bin"
        try withSocketFarm("small_farm.py", ["50"]) { ns, _ in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "300ms", "-pollJitterPct", "0", "-maxLoops", "8",
                                                "-promListen", "off", "-dest", "file:\(output)"]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
            try FileManager.default.removeItem(atPath: dir + "/filler")
            let status = xtcp.finish()
            #expect(status == 5, "envelopes were dropped, so the run says it lost data: \(xtcp.lines.suffix(3))")
            let summary = try #require(XTCPSummary.final(of: xtcp.lines.joined(separator: "\n")))
            #expect(summary.droppedEnvelopes["write error"] ?? 0 >= 1 && summary["delivered"] >= 5, "\(xtcp.lines.last ?? "")")
            let framed = try #require(try envelopes(output), "the file is whole frames after the full disk")
            #expect(UInt64(framed.count) == summary["delivered"], "\(framed.count) envelopes in the file, \(summary["delivered"]) delivered")
        }
    }

    @Test("a FIFO with no reader is refused at once (exit 3), not an open that blocks forever; with a reader, it is written")
    func fifoWithoutReader() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let refused = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "file:\(fifo)"],
                                        timeout: 10)
        #expect(refused.status == 3 && refused.stderr.contains("a FIFO with no reader"), "\(refused.status) \(refused.stderr)")
        let reader = try LineProcess(["/bin/sh", "-c", "exec wc -c < \(fifo)"])
        defer { reader.finish() }
        Thread.sleep(forTimeInterval: 0.2)  // the reader's open waits for a writer
        let written = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "file:\(fifo)"],
                                        timeout: 10)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(reader.finish() == 0)
        #expect(Int(reader.lines.first?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0 > 0, "\(reader.lines)")
    }

    @Test("a start that fails on another check (-replay of no capture, a taken -profile.path) leaves the file untouched")
    func otherStartChecksFirst() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/out.bin"
        let kept = Data("not xtcp's to touch".utf8)
        try kept.write(to: URL(fileURLWithPath: output))
        try Data("no capture".utf8).write(to: URL(fileURLWithPath: dir + "/bogus.pcap"))
        let replay = try Shell.capture([Paths.xtcp, "-replay", dir + "/bogus.pcap", "-dest", "file:\(output)"])
        #expect(replay.status != 0, "\(replay.stderr)")
        try FileManager.default.createSymbolicLink(atPath: dir + "/profile-link", withDestinationPath: dir + "/elsewhere")
        let profile = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off",
                                         "-profile.mode", "cpu", "-profile.path", dir + "/profile-link", "-dest", "file:\(output)"])
        #expect(profile.status != 0 && profile.stderr.contains("symbolic link"), "\(profile.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == kept)
    }
}
