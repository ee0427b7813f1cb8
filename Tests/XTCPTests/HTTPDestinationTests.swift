import Destinations
import Foundation
import RecordFmt
import Testing
import TestSupport

/// `-dest http://` and `https://` against Python's http.server (a real
/// HTTP/1.1 peer; HTTPS with a certificate the test makes and names with
/// -httpCAFile), `Tests/Scripts/http_collector.py`, in a namespace with a
/// farm of 2,020 sockets.
@Suite("-dest http:// and https://: a POST per envelope, refusals and the server gone and back (live)", .serialized)
struct HTTPDestinationTests {
    final class Server {
        let process: LineProcess
        let port: Int
        let out: String

        init(_ ns: TestNamespace, kind: String, work: String) throws {
            out = work + "/received.bin"
            var command = ["python3", Paths.packageRoot + "/Tests/Scripts/http_collector.py", kind, out]
            if kind == "https" {
                // A certificate for 127.0.0.1, its own CA.
                try Shell.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                               "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", work + "/key.pem", "-out", work + "/cert.pem"])
                command += [work + "/cert.pem", work + "/key.pem"]
            }
            process = try LineProcess(ns.exec(command))
            let ready = try #require(process.waitForLine { $0.hasPrefix("ready") })
            port = Int(ready.split(separator: " ")[1]) ?? 0
        }

        @discardableResult
        func command(_ line: String) -> [String] { process.command(line) }

        /// The bodies kept and the last Content-Type.
        func count() -> (Int, String) {
            let line = command("count").first { $0.hasPrefix("count ") } ?? "count 0"
            let words = line.split(separator: " ", maxSplits: 2)
            return (Int(words[1]) ?? 0, words.count > 2 ? String(words[2]) : "")
        }

        func envelopes() throws -> [[FlatRecord]] {
            let (envelopes, leftover) = try ProtobufList.decodedEnvelopes(inFile: out)
            #expect(leftover == 0)
            return envelopes
        }

        func quit() {
            process.write("quit")
            process.finish()
        }
    }

    func withFarm(_ body: (TestNamespace, String) throws -> Void) throws {
        try withDestinationFarm(prefix: "xtcp-http", body)
    }

    func xtcp(_ kind: String, _ server: Server, work: String, loops: Int) -> [String] {
        [Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "\(loops)", "-promListen", "off",
         "-dest", "\(kind)://127.0.0.1:\(server.port)/ingest", "-marshal", "protobufList", "-envelopeFlushRows", "500"]
            + (kind == "https" ? ["-httpCAFile", work + "/cert.pem"] : [])
    }

    @Test("3 polls of 2,020 sockets over http and https: every envelope one POST answered 200, each poll's sockets exactly once, the marshaller's type",
          arguments: ["http", "https"])
    func threePolls(kind: String) throws {
        try withFarm { ns, work in
            let server = try Server(ns, kind: kind, work: work)
            defer { server.quit() }
            let run = try Shell.capture(ns.exec(xtcp(kind, server, work: work, loops: 3)))
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == summary["envelopes"] && summary.envelopesDropped == 0, "\(run.stderr)")
            let (count, type) = server.count()
            #expect(UInt64(count) == summary["envelopes"] && type == "application/x-protobuf", "\(count) bodies of type \(type)")
            let read = try server.envelopes()
            let problems = SocketKey.pollProblems(read, polls: 3, sockets: 2020)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("https checks the certificate: without -httpCAFile the self-signed server is refused, nothing delivered")
    func certificateChecked() throws {
        try withFarm { ns, work in
            let server = try Server(ns, kind: "https", work: work)
            defer { server.quit() }
            let run = try Shell.capture(ns.exec(Array(xtcp("https", server, work: work, loops: 1).dropLast(2))))
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == 0 && summary.droppedEnvelopes.keys.allSatisfy { $0 == "unreachable" }, "\(run.stderr)")
            #expect(run.stderr.contains("certificate"), "\(run.stderr)")
            #expect(server.count().0 == 0)
        }
    }

    @Test("a URL's user and password are never shown")
    func userinfoHidden() throws {
        let spec = try DestinationSpec(parsing: "https://ingest:s3cret@collector.example:8443/v1?x=1")
        #expect(!spec.description.contains("s3cret") && !spec.description.contains("ingest:"), "\(spec.description)")
        #expect(spec.description == "https://…@collector.example:8443/v1?x=1")
        #expect(try DestinationSpec(parsing: "http://collector/a@b").description == "http://collector/a@b")
    }

    @Test("a 503 is a counted failure: 4 refused, 'delivery failed', delivered + dropped = envelopes")
    func refusals() throws {
        try withFarm { ns, work in
            let server = try Server(ns, kind: "http", work: work)
            defer { server.quit() }
            server.command("fail 4")
            let run = try Shell.capture(ns.exec(xtcp("http", server, work: work, loops: 3)))
            #expect(run.status == 5, "lost envelopes: exit 5: \(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary.droppedEnvelopes == ["delivery failed": 4], "\(summary.droppedEnvelopes)")
            #expect(summary["delivered"] + 4 == summary["envelopes"])
            #expect(run.stderr.contains("HTTP 503"))
            #expect(UInt64(server.count().0) == summary["delivered"])
        }
    }

    @Test("the server down for 10 s, then back: no crash, delivered + dropped = envelopes, the drops unreachable, delivery again within 5 s")
    func serverDownAndBack() throws {
        try withFarm { ns, work in
            let server = try Server(ns, kind: "http", work: work)
            defer { server.quit() }
            let xtcp = try LineProcess(ns.exec(xtcp("http", server, work: work, loops: 40)), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            server.command("down")
            let before = server.count().0
            Thread.sleep(forTimeInterval: 10)
            #expect(server.count().0 == before, "nothing is taken while down")
            server.command("up")
            let back = Date()
            let resumed = secondsUntil(since: back, every: 0.05) { server.count().0 > before }
            #expect(resumed != nil && resumed! < 5, "delivered again \(resumed ?? -1) s after the server came back")
            #expect(xtcp.finish() == 5, "a run that lost envelopes exits 5: \(xtcp.lines.suffix(5))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 40 polls") }.map(XTCPSummary.init(line:)), "\(xtcp.lines.suffix(3))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(xtcp.lines.last ?? "")")
            #expect(summary.envelopesDropped > 0 && summary.droppedEnvelopes.keys.allSatisfy { $0 == "unreachable" }, "\(summary.droppedEnvelopes)")
            // The server keeps a body before it answers: one whose answer
            // the closing cut off is kept and counted dropped, never the
            // other way round.
            let kept = UInt64(server.count().0)
            #expect(kept >= summary["delivered"] && kept <= summary["delivered"] + 2, "\(kept) kept, \(summary["delivered"]) delivered")
            #expect(try server.envelopes().last?.first?.pollSequence == 40, "the last poll arrived")
            let peak = summary["peakRSS"]
            #expect(peak > 0 && peak < 96 * 1024, "peak RSS \(peak) kB")
        }
    }
}
