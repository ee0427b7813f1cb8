import Foundation
import Testing
import TestSupport

/// `Type=notify`: xtcp tells systemd it is ready after its first poll and
/// feeds the watchdog each poll, over the NOTIFY_SOCKET datagram protocol.
/// systemd does not run here (PID 1 is not systemd), so a Python listener
/// plays its side of the protocol: the same socket, the same datagrams.
@Suite("sd_notify: READY=1 after the first poll, WATCHDOG=1 and STATUS each poll, STOPPING=1 at the end (live)", .serialized)
struct SystemdNotifyTests {
    @Test("a path socket and an abstract one", arguments: ["path", "abstract"])
    func notifies(kind: String) throws {
        let name = kind == "path" ? NSTemporaryDirectory() + "xtcp-notify-\(getpid()).sock" : "@xtcp-notify-\(getpid())"
        defer { if kind == "path" { try? FileManager.default.removeItem(atPath: name) } }
        let listener = try LineProcess(["python3", Paths.packageRoot + "/Tests/Scripts/notify_listener.py", name, "30"])
        defer { listener.finish() }
        #expect(listener.nextLine() == "ready")
        // In the listener's network namespace: an abstract socket's name is
        // seen only there (a path is seen from any).
        _ = try Shell.run(["env", "NOTIFY_SOCKET=\(name)", "WATCHDOG_USEC=60000000",
                           Paths.xtcp, "-namespaces", "own", "-maxLoops", "3", "-frequency", "200ms", "-dest", "null", "-promListen", "off"])
        var messages: [String] = []
        while let line = listener.nextLine() {
            messages.append(line)
            if line.contains("STOPPING=1") || line == "timeout" { break }
        }
        #expect(messages.count == 4, "\(messages)")
        guard messages.count == 4 else { return }
        #expect(messages[0].hasPrefix("READY=1 | WATCHDOG=1 | STATUS=poll 1: ") && messages[0].contains("sockets in 1 namespaces"), "\(messages[0])")
        #expect(messages[1].hasPrefix("WATCHDOG=1 | STATUS=poll 2: ") && messages[2].hasPrefix("WATCHDOG=1 | STATUS=poll 3: "), "\(messages)")
        #expect(messages[3] == "STOPPING=1")
    }

    @Test("without NOTIFY_SOCKET nothing is sent, and a watchdog shorter than -frequency is warned of")
    func watchdogTooShort() throws {
        let name = "@xtcp-notify-short-\(getpid())"
        let listener = try LineProcess(["python3", Paths.packageRoot + "/Tests/Scripts/notify_listener.py", name, "10"])
        defer { listener.finish() }
        #expect(listener.nextLine() == "ready")
        let run = try Shell.capture(["env", "NOTIFY_SOCKET=\(name)", "WATCHDOG_USEC=100000",
                                     Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-frequency", "1s", "-dest", "null", "-promListen", "off"], timeout: 20)
        #expect(run.status == 0 && run.stderr.contains("systemd's WatchdogSec (0.1 seconds) is not longer than -frequency 1s"), "\(run.stderr)")
    }
}
