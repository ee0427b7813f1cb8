import Foundation
import Platform
import Testing
import TestSupport

/// Names that come from the host (a namespace's, a path's) with a newline
/// or an escape sequence in them cannot forge a log line.
@Suite("Log lines: control characters escaped, so a name cannot forge a line", .serialized)
struct LogInjectionTests {
    @Test("LineText escapes C0, DEL, C1 and the Unicode line separators, and leaves the rest alone")
    func escaping() {
        #expect(LineText.escaping("plain: sockets=3 ns=café") == "plain: sockets=3 ns=café")
        #expect(LineText.escaping("a\nxtcp: forged") == "a\\nxtcp: forged")
        #expect(LineText.escaping("\r\t\u{1B}[31m\u{7F}\u{85}\u{2028}\u{0}") == "\\r\\t\\u{1B}[31m\\u{7F}\\u{85}\\u{2028}\\u{0}")
    }

    @Test("a namespace named with a newline and a forged poll line: xtcp's lines stay its own (live)")
    func namespaceName() throws {
        let forged = "evil\nxtcp: 99 polls: sockets=0 records=0 envelopes=0 bytes=0 delivered=0"
        let path = "/run/netns/" + forged
        let farm = try SocketFarm(command: ["unshare", "--net", "--", "sh", "-c",
                                            "ip link set lo up && exec python3 \(Paths.packageRoot)/Tests/Scripts/small_farm.py 1"])
        defer { farm.stop() }
        try FileManager.default.createDirectory(atPath: "/run/netns", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer {
            _ = try? Shell.run(["umount", path])
            try? FileManager.default.removeItem(atPath: path)
        }
        try Shell.run(["mount", "--bind", "/proc/\(farm.processIdentifier)/ns/net", path])
        let run = try Shell.capture([Paths.xtcp, "-maxLoops", "1", "-netlinkers", "1", "-promListen", "off", "-dest", "null"], timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("xtcp: 99 polls") }, "a forged line: \(lines)")
        #expect(lines.filter { $0.hasPrefix("xtcp: ") && $0.contains(" polls") }.count == 1)
        #expect(run.stderr.contains("evil\\nxtcp: 99 polls"), "the name, escaped: \(lines.prefix(3))")
    }
}
