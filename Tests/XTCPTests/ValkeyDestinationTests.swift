import Foundation
import RecordFmt
import Testing
import TestSupport

/// `-dest valkey:` against a real redis-server (Debian's 7.0, the protocol
/// Valkey speaks) started in a namespace beside a farm of 2,020 sockets,
/// read back by an independent client (redis-py, `Tests/Scripts/valkey_reader.py`).
@Suite("-dest valkey: PUBLISH and XADD, the server down and back (live)", .serialized)
struct ValkeyDestinationTests {
    static let reader = Paths.packageRoot + "/Tests/Scripts/valkey_reader.py"

    /// redis-server in `ns` on port 65102 (above the farm's ephemeral
    /// ports, 1024-65000, which a client could hold); with `persistent`, an append-only
    /// file in `dir` that keeps the stream across a restart.
    final class Server {
        let process: LineProcess
        init(_ ns: TestNamespace, dir: String, persistent: Bool) throws {
            process = try LineProcess(ns.exec(["redis-server", "--port", "65102", "--bind", "127.0.0.1", "--dir", dir, "--save", "",
                                               "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always"]))
            #expect(process.waitForLine { $0.contains("Ready to accept connections") } != nil)
        }
        func stop(_ ns: TestNamespace) throws {
            _ = try Shell.capture(ns.exec(["redis-cli", "-p", "65102", "shutdown"]))
            process.finish()
        }
    }

    func withFarm(_ body: (TestNamespace, String) throws -> Void) throws {
        try withDestinationFarm(prefix: "xtcp-valkey", body)
    }

    /// Every envelope of a file of protobufList frames, decoded.
    func envelopes(_ path: String) throws -> [[FlatRecord]] {
        let (envelopes, leftover) = try ProtobufList.decodedEnvelopes(inFile: path)
        #expect(leftover == 0, "every message one whole frame")
        return envelopes
    }

    @Test("3 polls of 2,020 sockets: PUBLISH read by a subscriber, XADD read back with XRANGE; each poll's sockets exactly once, all delivered",
          arguments: ["publish", "stream"])
    func threePolls(mode: String) throws {
        try withFarm { ns, work in
            let server = try Server(ns, dir: work, persistent: false)
            defer { try? server.stop(ns) }
            let out = work + "/read.bin"
            let subscriber = mode == "publish" ? try LineProcess(ns.exec(["python3", Self.reader, "subscribe", "65102", "xtcp", out])) : nil
            if let subscriber { #expect(subscriber.waitForLine { $0 == "subscribed" } != nil) }
            let run = try Shell.capture(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "3",
                                                 "-promListen", "off", "-dest", "valkey:127.0.0.1:65102", "-topic", "xtcp", "-marshal", "protobufList",
                                                 "-envelopeFlushRows", "500"] + (mode == "stream" ? ["-valkeyStream"] : [])))
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == summary["envelopes"] && summary.envelopesDropped == 0, "\(run.stderr)")
            if let subscriber {
                Thread.sleep(forTimeInterval: 0.3)
                subscriber.finish()
            } else {
                _ = try Shell.run(ns.exec(["python3", Self.reader, "stream", "65102", "xtcp", out]))
            }
            let read = try envelopes(out)
            #expect(UInt64(read.count) == summary["envelopes"], "\(read.count) read of \(summary["envelopes"])")
            let problems = SocketKey.pollProblems(read, polls: 3, sockets: 2020)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("the server down for 10 s, then back: no crash, delivered + dropped = envelopes, the drops unreachable, delivery again within 5 s, the stream holds every delivered envelope")
    func serverDownAndBack() throws {
        try withFarm { ns, work in
            var server = try Server(ns, dir: work, persistent: true)
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "40",
                                                "-promListen", "off", "-dest", "valkey:127.0.0.1:65102", "-valkeyStream", "-marshal", "protobufList",
                                                "-envelopeFlushRows", "500"]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            try server.stop(ns)
            Thread.sleep(forTimeInterval: 10)
            let before = try Shell.run(ns.exec(["python3", Self.reader, "xlen", "65102", "xtcp"])).trimmingCharacters(in: .whitespacesAndNewlines)
            server = try Server(ns, dir: work, persistent: true)
            defer { try? server.stop(ns) }
            let back = Date()
            let restored = try Shell.run(ns.exec(["python3", Self.reader, "xlen", "65102", "xtcp"])).trimmingCharacters(in: .whitespacesAndNewlines)
            let resumed = try secondsUntil(since: back) {
                let length = try Shell.run(ns.exec(["python3", Self.reader, "xlen", "65102", "xtcp"])).trimmingCharacters(in: .whitespacesAndNewlines)
                return (Int(length) ?? 0) > (Int(restored) ?? 0)
            }
            #expect(before == "0", "down: nobody answers")
            #expect((Int(restored) ?? 0) > 0, "the append-only file kept what was delivered")
            #expect(resumed != nil && resumed! < 5, "delivered again \(resumed ?? -1) s after the server came back")
            #expect(xtcp.finish() == 5, "a run that lost envelopes exits 5: \(xtcp.lines.suffix(5))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 40 polls") }.map(XTCPSummary.init(line:)), "\(xtcp.lines.suffix(3))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(xtcp.lines.last ?? "")")
            #expect(summary.envelopesDropped > 0 && summary.droppedEnvelopes.keys.allSatisfy { $0 == "unreachable" }, "\(summary.droppedEnvelopes)")
            #expect(xtcp.lines.contains { $0.contains("connected again") }, "said when it came back")
            let out = work + "/read.bin"
            _ = try Shell.run(ns.exec(["python3", Self.reader, "stream", "65102", "xtcp", out]))
            let read = try envelopes(out)
            #expect(UInt64(read.count) == summary["delivered"], "\(read.count) in the stream, \(summary["delivered"]) delivered")
            #expect(read.last?.first?.pollSequence == 40, "the last poll arrived")
            let peak = summary["peakRSS"]
            #expect(peak > 0 && peak < 96 * 1024, "peak RSS \(peak) kB")
        }
    }
}
