import Foundation
import Testing
import TestSupport
@testable import XTCP

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

    /// Each line of `stderr` as a JSON object; a line that is none fails.
    func jsonObjects(_ stderr: String) -> [[String: Any]] {
        lines(stderr).map { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            return object ?? [:]
        }
    }

    @Test("-logFormat json: every line a JSON object with an RFC 3339 time and the level; the poll line's counts are numbers")
    func json() throws {
        let run = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "2", "-frequency", "100ms", "-dest", "null",
                                     "-promListen", "off", "-logFormat", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let objects = jsonObjects(run.stderr)
        #expect(objects.count >= 4, "\(run.stderr)")
        for object in objects {
            #expect((object["time"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(object)")
            #expect(object["level"] as? String == "info" && object["msg"] is String, "\(object)")
        }
        let polls = objects.filter { $0["duration_ms"] != nil }
        #expect(polls.map { $0["poll"] as? Int } == [1, 2], "\(polls)")
        #expect(polls.allSatisfy { ($0["sockets"] as? Int ?? 0) >= 1 && $0["delivered"] as? Int == 1 && $0["namespaces"] as? Int == 1 }, "\(polls)")
        #expect((polls.first?["msg"] as? String)?.hasPrefix("poll 1: ") == true)

        // The exit's one-line error, too; a usage error (the format not
        // yet known) stays text.
        let failed = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-logFormat", "json",
                                        "-dest", "file:/nonexistent/dir/out.bin"])
        #expect(failed.status == 3)
        let said = jsonObjects(failed.stderr)
        #expect(said.count == 1 && said.first?["level"] as? String == "error"
                && (said.first?["msg"] as? String)?.contains("/nonexistent/dir/out.bin") == true, "\(failed.stderr)")
        let usage = try Shell.capture([Paths.xtcp, "-logFormat", "xml"])
        #expect(usage.status == 2 && lines(usage.stderr) == ["xtcp: -logFormat xml: expected text, json or logfmt (xtcp -help lists the flags)"])
    }

    @Test("-logFormat logfmt: time=, level= and msg= first, the counts as key=value, a message with quotes and newlines quoted and escaped")
    func logfmt() throws {
        let run = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-dest", "null", "-promListen", "off", "-logFormat", "logfmt"])
        #expect(run.status == 0, "\(run.stderr)")
        let poll = lines(run.stderr).first { $0.contains("duration_ms=") }
        #expect(poll?.wholeMatch(of: /time=\S+Z level=info msg="poll 1: \d+ ms [^"]*" poll=1 duration_ms=\d+ namespaces=1 sockets=\d+ .*/) != nil,
                "\(run.stderr)")
        // A hostile message (a namespace's name, a broker's words): still one line, quoted, parsable.
        let hostile = "vanished: \"ns\"\nforged=1 \u{2028}x"
        let logfmt = LogFormat.logfmt.line(level: .warning, message: hostile, metadata: ["poll": "3"])
        #expect(!logfmt.contains("\n") && logfmt.hasSuffix(#"level=warning msg="vanished: \"ns\"\nforged=1 \u2028x" poll=3"#), "\(logfmt)")
        let json = LogFormat.json.line(level: .warning, message: hostile, metadata: [:])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["msg"] as? String == hostile && object?["forged"] == nil, "\(json)")
        // A message that says level= or time= cannot change the line's own.
        let spoof = LogFormat.json.line(level: .info, message: "x level=critical time=0 msg=y", metadata: [:])
        let spoofed = try JSONSerialization.jsonObject(with: Data(spoof.utf8)) as? [String: Any]
        #expect(spoof.components(separatedBy: "\"level\"").count == 2 && spoofed?["level"] as? String == "info", "\(spoof)")
    }
}
