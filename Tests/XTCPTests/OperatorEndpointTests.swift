import Foundation
import Testing
import TestSupport
import XTCP

@Suite("The operator's HTTP listener: metrics, health, readiness (live kernel)", .serialized)
struct OperatorEndpointTests {
    /// `http_probe.py` run inside `namespace`.
    func probe(_ namespace: TestNamespace, _ host: String, _ port: Int, _ mode: String, _ what: String) throws -> String {
        try Shell.run(namespace.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", host, "\(port)", mode, what]))
    }

    /// The value of an unlabelled sample in a metrics page.
    func value(of name: String, in page: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test("/metrics passes promtool and its counters follow the polls; /healthz, -healthcheck, /readyz, 404, 400, 405; loopback only")
    func endpoints() throws {
        try withSocketFarm("port_farm.py", ["25"]) { ns, farm in
            let port = 19_188
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "300ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil, "\(xtcp.lines)")

            let first = try probe(ns, "127.0.0.1", port, "get", "/metrics")
            #expect(first.hasPrefix("200\n"), "\(first.prefix(200))")
            let page = String(first.dropFirst(4))
            #expect(try Promtool.complaints(about: page).isEmpty)
            let socketsBefore = try #require(value(of: "xtcp_sockets_total", in: page))
            #expect(socketsBefore >= 2 * 2020, "two polls of the farm: \(socketsBefore)")
            let pollsBefore = try #require(value(of: "xtcp_polls_total", in: page))
            #expect(value(of: "xtcp_namespaces", in: page) == 1)
            // What it was built from (a test build: revision "unknown").
            #expect(value(of: "xtcp_build_info{version=\"\(XTCPVersion.daemon)\",revision=\"\(XTCPVersion.revision)\",swift=\"\(XTCPVersion.swift)\"}", in: page) == 1)
            // Every dump ended with NLMSG_DONE, and each is in the duration histogram once.
            let done = try #require(value(of: "xtcp_dumps_total{outcome=\"done\"}", in: page))
            #expect(done >= 2 * pollsBefore && value(of: "xtcp_dump_duration_seconds_count", in: page) == done, "\(page)")
            #expect(value(of: "xtcp_poll_duration_seconds_count", in: page) == pollsBefore)
            #expect((value(of: "process_threads", in: page) ?? 0) >= 2 && (value(of: "process_open_fds", in: page) ?? 0) >= 3)
            #expect((value(of: "process_resident_memory_bytes", in: page) ?? 0) > 1_000_000)

            // Requests that are not the listener's business: answered, and polling goes on.
            #expect(try probe(ns, "127.0.0.1", port, "get", "/healthz") == "200\nok\n")
            let check = try Shell.capture(ns.exec([Paths.xtcp, "-healthcheck", "-promListen", "127.0.0.1:\(port)"]))
            #expect(check.status == 0 && check.stderr.contains("200 OK"), "\(check.stderr)")
            #expect(try probe(ns, "127.0.0.1", port, "get", "/readyz").hasPrefix("200\nready"))
            #expect(try probe(ns, "127.0.0.1", port, "get", "/nope").hasPrefix("404\n"))
            #expect(try probe(ns, "127.0.0.1", port, "raw", "garbage\\r\\n\\r\\n").hasPrefix("HTTP/1.1 400"))
            #expect(try probe(ns, "127.0.0.1", port, "raw", "POST /metrics HTTP/1.1\\r\\n\\r\\n").hasPrefix("HTTP/1.1 405"))
            // Not on the namespace's other addresses: the default listens on
            // 127.0.0.1 only (this kernel has no dummy links; an address on lo is
            // as good a non-loopback address).
            try Shell.run(ns.exec(["ip", "addr", "add", "10.99.0.1/32", "dev", "lo"]))
            #expect(try probe(ns, "10.99.0.1", port, "get", "/metrics").hasPrefix("refused"))

            let next = xtcp.lines.count
            #expect(xtcp.waitForLine { $0.hasPrefix("poll ") && $0.contains("sockets=") } != nil)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll ") && $0.contains("sockets=") } != nil)
            #expect(!xtcp.lines[next...].contains { $0.contains("dumpsStalled") || $0.contains("dumpsTimedOut") }, "\(xtcp.lines)")
            let second = String(try probe(ns, "127.0.0.1", port, "get", "/metrics").dropFirst(4))
            let socketsAfter = try #require(value(of: "xtcp_sockets_total", in: second))
            let pollsAfter = try #require(value(of: "xtcp_polls_total", in: second))
            #expect(pollsAfter >= pollsBefore + 2)
            #expect(socketsAfter >= socketsBefore + 2 * 2020, "the counters moved: \(socketsBefore) then \(socketsAfter)")
        }
    }

    @Test("Netlink errors by kind and errno, decode problems by kind: rendered with bounded labels, accepted by promtool")
    func netlinkErrorsByKind() throws {
        var snapshot = MetricsBoard.Snapshot()
        snapshot.totals.dumps.netlinkErrors = [NetlinkError(kind: .nlmsgError, errno: EBUSY): 2, NetlinkError(kind: .receive, errno: ENOBUFS): 3]
        snapshot.totals.dumps.decode.truncatedMessages = 4
        snapshot.totals.dumps.decode.dumpInterrupted = 5
        let page = PrometheusText.render(snapshot)
        #expect(value(of: "xtcp_netlink_errors_total{kind=\"nlmsg_error\",errno=\"EBUSY\"}", in: page) == 2, "\(page)")
        #expect(value(of: "xtcp_netlink_errors_total{kind=\"receive\",errno=\"ENOBUFS\"}", in: page) == 3)
        #expect(value(of: "xtcp_netlink_decode_problems_total{kind=\"truncated_message\"}", in: page) == 4)
        #expect(value(of: "xtcp_netlink_dump_interrupted_total", in: page) == 5)
        #expect(try Promtool.complaints(about: page).isEmpty)
        #expect(try Promtool.complaints(about: PrometheusText.render(MetricsBoard.Snapshot())).isEmpty, "no errors yet: still clean")
    }

    @Test("-promListen on a port already taken: one line, exit 1; -healthcheck with no daemon: exit 1; -promPath must be a path")
    func badListen() throws {
        let blocker = try LineProcess(["python3", "-c",
            "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', 19189)); s.listen(); print('ready', flush=True); sys.stdin.read()"])
        defer { blocker.finish() }
        #expect(blocker.waitForLine { $0 == "ready" } != nil)
        let run = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-dest", "null", "-promListen", "127.0.0.1:19189"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("-promListen 127.0.0.1:19189: cannot listen: Address already in use"), "\(run.stderr)")
        // -healthcheck with nobody listening: one line, exit 1.
        let check = try Shell.capture([Paths.xtcp, "-healthcheck", "-promListen", "127.0.0.1:19187"])
        #expect(check.status == 1 && check.stderr.contains("no daemon answers at 127.0.0.1:19187"), "\(check.stderr)")
        let path = try Shell.capture([Paths.xtcp, "-promPath", "metrics", "-maxLoops", "1"])
        #expect(path.status == 2, "\(path.stderr)")
    }
}
