import Foundation
import Platform
import Testing
import TestSupport

/// The operator's HTTP listener against clients that do not play along: a
/// byte every 1.5 s, a hundred idle connections, a body it did not ask
/// for, a pipelined request cut short, a profile's client that leaves.
@Suite("The HTTP listener serves many connections at once, each within a deadline (live)", .serialized)
struct HTTPListenerTests {
    static let port = 19_193

    /// One request as http_probe.py makes it; its answer and how long it took.
    func timed(_ ns: TestNamespace, _ arguments: [String]) throws -> (answer: String, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try Shell.run(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(Self.port)"] + arguments))
        return (answer, (clock.now - start).inSeconds)
    }

    @Test("a byte every 1.5 s and 100 idle connections: /healthz and -healthcheck answer within 1 s throughout; the slow one gets 408")
    func slowAndIdleClients() throws {
        try withTestNamespace { ns in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(Self.port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil, "\(xtcp.lines)")
            let abuse = try LineProcess(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_abuse.py",
                                                 "127.0.0.1", "\(Self.port)", "100", "1", "1.5"]))
            defer { abuse.finish() }
            #expect(abuse.waitForLine { $0.hasPrefix("ready") } == "ready 101")
            var slowest = 0.0
            for round in 0..<12 {
                let (health, seconds) = try timed(ns, ["get", "/healthz"])
                #expect(health == "200\nok\n", "round \(round): \(health)")
                slowest = max(slowest, seconds)
                if round % 4 == 0 {
                    let clock = ContinuousClock()
                    let start = clock.now
                    let check = try Shell.capture(ns.exec([Paths.xtcp, "-healthcheck", "-promListen", "127.0.0.1:\(Self.port)"]))
                    #expect(check.status == 0, "round \(round): \(check.stderr)")
                    slowest = max(slowest, (clock.now - start).inSeconds)
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
            #expect(slowest < 1, "the slowest answer took \(slowest) s")
            // The slow client is cut off at the request deadline, told why.
            let closed = try #require(abuse.waitForLine { $0.hasPrefix("slow closed") })
            let after = Double(closed.split(separator: " ")[3].dropLast()) ?? 99
            #expect(after < 4 && closed.hasSuffix("408 Request Timeout"), "\(closed)")
        }
    }

    @Test("a POST with a body: 405 at once; a whole request then half a pipelined one: the first answered")
    func refusedAtOnceAndPipelined() throws {
        try withTestNamespace { ns in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(Self.port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil, "\(xtcp.lines)")
            // The body is promised but never sent: the answer cannot wait for it.
            let (post, postSeconds) = try timed(ns, ["raw", "POST /metrics HTTP/1.1\\r\\nContent-Length: 100\\r\\n\\r\\nsome"])
            #expect(post.hasPrefix("HTTP/1.1 405") && postSeconds < 1, "\(post) in \(postSeconds) s")
            let (pipelined, _) = try timed(ns, ["raw", "GET /healthz HTTP/1.1\\r\\n\\r\\nGET /metr"])
            #expect(pipelined.hasPrefix("HTTP/1.1 200"), "\(pipelined)")
        }
    }

    @Test("a profile whose client has gone frees the profiler at once: the next profile is not refused")
    func profileOfAGoneClient() throws {
        try withTestNamespace { ns in
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(Self.port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil, "\(xtcp.lines)")
            // Asks for a 60 s profile and leaves after 1 s.
            let (left, seconds) = try timed(ns, ["leave", "/debug/pprof/profile?seconds=60", "1"])
            #expect(left == "left\n" && seconds < 5, "\(left) after \(seconds) s")
            Thread.sleep(forTimeInterval: 1)
            let (next, _) = try timed(ns, ["save", "/debug/pprof/profile?seconds=1", "/dev/null"])
            #expect(next == "200\n", "the next profile: \(next)")
        }
    }
}
