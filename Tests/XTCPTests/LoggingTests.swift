import Foundation
import Testing
import TestSupport

@Suite("Logging: a line per poll at info, warnings with their context, -logLevel and -d")
struct LoggingTests {
    func lines(_ stderr: String) -> [String] { stderr.split(separator: "\n").map(String.init) }

    @Test("info (the default): the start line, one line per poll, the summary; nothing at debug")
    func info() throws {
        let run = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "3", "-frequency", "100ms", "-dest", "null", "-promListen", "off"])
        #expect(run.status == 0, "\(run.stderr)")
        let said = lines(run.stderr)
        #expect(said.filter { $0.hasPrefix("poll ") && $0.contains(" ms namespaces=1 sockets=") }.count == 3, "\(said)")
        #expect(said.first?.contains("polling its own namespace") == true && said.last?.hasPrefix("xtcp: 3 polls:") == true, "\(said)")
        #expect(!said.contains { $0.contains("level=") || $0.hasPrefix("config: ") }, "\(said)")
    }

    @Test("-logLevel warning: a clean run says nothing; a warning keeps its words and says its level")
    func warningsOnly() throws {
        let quiet = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "2", "-frequency", "100ms", "-dest", "null",
                                       "-promListen", "off", "-logLevel", "warning"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let limited = try Shell.capture(["setpriv", "--bounding-set", "-sys_admin,-sys_ptrace", "--inh-caps", "-sys_admin,-sys_ptrace",
                                         Paths.xtcp, "-maxLoops", "1", "-dest", "null", "-promListen", "off", "-logLevel", "warning"])
        #expect(limited.status == 0)
        #expect(lines(limited.stderr) == ["xtcp: missing CAP_SYS_ADMIN and CAP_SYS_PTRACE to enter other namespaces: "
                                          + "only the namespace xtcp runs in will be polled level=warning"], "\(limited.stderr)")
    }

    @Test("-d: the effective configuration at start and every HTTP request, at debug")
    func debug() throws {
        try withTestNamespace { ns in
            let port = 19_191
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-dest", "null", "-d",
                                                "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
            #expect(xtcp.lines.contains("config: frequency 200ms level=debug"), "\(xtcp.lines)")
            _ = try Shell.run(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", "/healthz?probe=1"]))
            #expect(xtcp.waitForLine { $0 == "http: GET /healthz?probe=1 level=debug" } != nil, "\(xtcp.lines)")
        }
    }

    @Test("-logLevel with a level that does not exist: one line naming the levels, exit 2")
    func badLevel() throws {
        let run = try Shell.capture([Paths.xtcp, "-logLevel", "loud"])
        #expect(run.status == 2)
        #expect(lines(run.stderr) == ["xtcp: -logLevel loud: expected one of trace, debug, info, notice, warning, error, critical (xtcp -help lists the flags)"])
    }
}
