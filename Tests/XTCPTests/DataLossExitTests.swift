import Foundation
import Platform
import Testing
import TestSupport

/// A run that ends by itself (`-maxLoops`, `-replay`) and lost data exits 5,
/// so that a script can tell it from one that did not; one that lost
/// nothing exits 0.
@Suite("exit 5 after a run that lost data (live)", .serialized)
struct DataLossExitTests {
    @Test("-maxLoops into /dev/full: every envelope dropped, exit 5, the last line says so")
    func pollsIntoAFullDevice() throws {
        let result = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "2", "-frequency", "100ms", "-promListen", "off",
                                        "-dest", "file:/dev/full"], timeout: 30)
        #expect(result.status == 5, "\(result.status): \(result.stderr)")
        let summary = try #require(XTCPSummary.final(of: result.stderr))
        #expect(summary["delivered"] == 0 && summary.droppedEnvelopes["write error"] ?? 0 >= 2, "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("-replay into /dev/full: exit 5 with one line saying how many envelopes were lost")
    func replayIntoAFullDevice() throws {
        let capture = Paths.xtcp2Captures + "/6_10_3/6_10_3_tcp_100_sockets.pcap"
        let result = try Shell.capture([Paths.xtcp, "-replay", capture, "-dest", "file:/dev/full"], timeout: 30)
        #expect(result.status == 5, "\(result.status): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("xtcp: data lost:") && lines[0].contains("not delivered"), "\(result.stderr)")
    }

    @Test("a -profile.mode cpu profile that cannot be written (a full file system): exit 5")
    func profileNotWritten() throws {
        let dir = NSTemporaryDirectory() + "xtcp-profile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Shell.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir])
        defer { _ = try? Shell.run(["umount", dir]) }
        // Open succeeds; the profile's bytes at the end find no room.
        _ = try? Shell.run(["dd", "if=/dev/zero", "of=\(dir)/filler", "bs=4096", "count=64", "status=none"])
        let result = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "2", "-frequency", "100ms", "-promListen", "off",
                                        "-dest", "null", "-profile.mode", "cpu", "-profile.path", dir + "/cpu.pb.gz"], timeout: 30)
        #expect(result.status == 5, "\(result.status): \(result.stderr)")
    }

    @Test("a run that lost nothing exits 0")
    func nothingLost() throws {
        let result = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "null"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
