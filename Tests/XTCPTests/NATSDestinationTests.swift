import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport

/// `-dest nats:` against a real nats-server with JetStream on (Debian's),
/// started in a namespace beside a farm of 2,020 sockets, read back by an
/// independent client (nats-py, `Tests/Scripts/nats_reader.py`).
@Suite("-dest nats: core and JetStream, the server down and back (live)", .serialized)
struct NATSDestinationTests {
    static let reader = Paths.packageRoot + "/Tests/Scripts/nats_reader.py"

    /// nats-server in `ns` on port 65101 (above the farm's ephemeral ports),
    /// JetStream's files in `dir`.
    final class Server {
        let process: LineProcess
        init(_ ns: TestNamespace, dir: String) throws {
            process = try LineProcess(ns.exec(["nats-server", "-js", "-sd", dir, "-a", "127.0.0.1", "-p", "65101"]), readsStderr: true)
            #expect(process.waitForLine { $0.contains("Server is ready") } != nil)
        }
        /// Killed: a crash, not a shutdown (what it wrote stays in its files).
        func kill() {
            _ = Glibc.kill(process.processIdentifier, SIGKILL)
            process.finish()
        }
    }

    func withFarm(_ body: (TestNamespace, String) throws -> Void) throws {
        try withDestinationFarm(prefix: "xtcp-nats", body)
    }

    func envelopes(_ path: String) throws -> [[FlatRecord]] {
        let (envelopes, leftover) = try ProtobufList.decodedEnvelopes(inFile: path)
        #expect(leftover == 0, "every message one whole frame")
        return envelopes
    }

    func xtcp(loops: Int, jetStream: Bool) -> [String] {
        [Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "\(loops)", "-promListen", "off",
         "-dest", "nats:nats://127.0.0.1:65101", "-topic", "xtcp", "-marshal", "protobufList", "-envelopeFlushRows", "500"]
            + (jetStream ? ["-natsJetStream"] : [])
    }

    @Test("3 polls of 2,020 sockets: core publish read by a subscriber, JetStream read back from the stream; each poll's sockets exactly once, all delivered",
          arguments: ["core", "jetstream"])
    func threePolls(mode: String) throws {
        try withFarm { ns, work in
            let server = try Server(ns, dir: work)
            defer { server.kill() }
            let out = work + "/read.bin"
            let subscriber = mode == "core" ? try LineProcess(ns.exec(["python3", Self.reader, "subscribe", "65101", "xtcp", out])) : nil
            if let subscriber { #expect(subscriber.waitForLine { $0 == "subscribed" } != nil) }
            if mode == "jetstream" { try Shell.run(ns.exec(["python3", Self.reader, "create", "65101", "XTCP", "xtcp"])) }
            let run = try Shell.capture(ns.exec(xtcp(loops: 3, jetStream: mode == "jetstream")))
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == summary["envelopes"] && summary.envelopesDropped == 0, "\(run.stderr)")
            if let subscriber {
                subscriber.finish()
            } else {
                try Shell.run(ns.exec(["python3", Self.reader, "read", "65101", "XTCP", out]))
            }
            let read = try envelopes(out)
            #expect(UInt64(read.count) == summary["envelopes"], "\(read.count) read of \(summary["envelopes"])")
            let problems = SocketKey.pollProblems(read, polls: 3, sockets: 2020)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("JetStream without a stream on the subject: every envelope 'delivery failed', none delivered")
    func noStream() throws {
        try withFarm { ns, work in
            let server = try Server(ns, dir: work)
            defer { server.kill() }
            let run = try Shell.capture(ns.exec(xtcp(loops: 1, jetStream: true)))
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(run.status == 5 && summary["delivered"] == 0 && summary.droppedEnvelopes.keys.sorted() == ["delivery failed"], "\(run.stderr)")
            #expect(run.stderr.contains("no JetStream stream takes the subject xtcp"))
        }
    }

    @Test("the server killed for 10 s, then back: no crash, delivered + dropped = envelopes, the drops unreachable, delivery again within 5 s, the stream holds every acked envelope")
    func serverDownAndBack() throws {
        try withFarm { ns, work in
            var server = try Server(ns, dir: work)
            try Shell.run(ns.exec(["python3", Self.reader, "create", "65101", "XTCP", "xtcp"]))
            let xtcp = try LineProcess(ns.exec(xtcp(loops: 40, jetStream: true)), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            server.kill()
            Thread.sleep(forTimeInterval: 10)
            server = try Server(ns, dir: work)
            defer { server.kill() }
            let back = Date()
            let restored = Int(try Shell.run(ns.exec(["python3", Self.reader, "count", "65101", "XTCP"])).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let resumed = try secondsUntil(since: back) {
                (Int(try Shell.run(ns.exec(["python3", Self.reader, "count", "65101", "XTCP"])).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1) > restored
            }
            #expect(restored > 0, "the stream's files kept what was acked")
            #expect(resumed != nil && resumed! < 5, "delivered again \(resumed ?? -1) s after the server came back")
            #expect(xtcp.finish() == 5, "a run that lost envelopes exits 5: \(xtcp.lines.suffix(5))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 40 polls") }.map(XTCPSummary.init(line:)), "\(xtcp.lines.suffix(3))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(xtcp.lines.last ?? "")")
            #expect(summary.envelopesDropped > 0, "\(summary.droppedEnvelopes)")
            // unreachable while down; the one in flight at the kill may be
            // unconfirmed (no ack), never delivered.
            #expect(summary.droppedEnvelopes.keys.allSatisfy { $0 == "unreachable" || $0 == "unconfirmed" }, "\(summary.droppedEnvelopes)")
            let out = work + "/read.bin"
            try Shell.run(ns.exec(["python3", Self.reader, "read", "65101", "XTCP", out]))
            let read = try envelopes(out)
            let unconfirmed = summary.droppedEnvelopes["unconfirmed"] ?? 0
            #expect(UInt64(read.count) >= summary["delivered"] && UInt64(read.count) <= summary["delivered"] + unconfirmed,
                    "\(read.count) in the stream, \(summary["delivered"]) delivered, \(unconfirmed) unconfirmed")
            #expect(read.last?.first?.pollSequence == 40, "the last poll arrived")
            let peak = summary["peakRSS"]
            #expect(peak > 0 && peak < 96 * 1024, "peak RSS \(peak) kB")
        }
    }
}
