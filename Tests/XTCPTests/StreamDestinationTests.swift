import Destinations
import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport

/// `-dest tcp:`, `unix:` and `unixgram:` against a collector written for the test
/// (`Tests/Scripts/stream_collector.py`, a real peer of each socket kind),
/// in a namespace with a farm of 2,020 sockets.
@Suite("-dest tcp:, unix: and unixgram:, their peer gone and back (live)", .serialized)
struct StreamDestinationTests {
    /// The collector, in `namespace`; each connection's bytes in PREFIX.N.
    final class Collector {
        let process: LineProcess
        let prefix: String
        let port: Int

        init(_ namespace: TestNamespace, kind: String, address: String, prefix: String) throws {
            self.prefix = prefix
            process = try LineProcess(namespace.exec(["python3", Paths.packageRoot + "/Tests/Scripts/stream_collector.py", kind, address, prefix]))
            let ready = try #require(process.waitForLine { $0.hasPrefix("ready") })
            port = Int(ready.split(separator: " ")[1]) ?? 0
        }

        /// Sends a command ("down", "up"); a "connected N" can come before
        /// its "ok": xtcp may connect the moment the listener is back.
        @discardableResult
        func command(_ line: String) -> [String] { process.command(line) }

        /// Every connection's whole envelopes, in order; the torn ends'
        /// byte counts.
        func envelopes() throws -> (records: [[FlatRecord]], torn: [Int]) {
            var records: [[FlatRecord]] = [], torn: [Int] = []
            var number = 1
            while FileManager.default.fileExists(atPath: "\(prefix).\(number)") {
                let (envelopes, leftover) = try ProtobufList.decodedEnvelopes(inFile: "\(prefix).\(number)")
                records += envelopes
                torn.append(leftover)
                number += 1
            }
            return (records, torn)
        }

        func quit() {
            process.write("quit")
            process.finish()
        }
    }

    func withFarm(_ body: (TestNamespace, String) throws -> Void) throws {
        try withDestinationFarm(prefix: "xtcp-stream", body)
    }

    /// The collector of `kind` and the `-dest` that reaches it.
    func collector(_ kind: String, in ns: TestNamespace, work: String) throws -> (Collector, String) {
        let collector = try Collector(ns, kind: kind, address: kind == "tcp" ? "0" : work + "/collector.sock", prefix: work + "/received")
        return (collector, kind == "tcp" ? "tcp:127.0.0.1:\(collector.port)" : "\(kind):\(work)/collector.sock")
    }

    @Test("3 polls of 2,020 sockets over tcp:, unix: and unixgram:: every envelope whole, each poll's sockets exactly once, all delivered",
          arguments: ["tcp", "unix", "unixgram"])
    func threePolls(kind: String) throws {
        try withFarm { ns, work in
            let (collector, dest) = try collector(kind, in: ns, work: work)
            defer { collector.quit() }
            let run = try Shell.capture(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "3",
                                                 "-promListen", "off", "-dest", dest, "-marshal", "protobufList", "-envelopeFlushRows", "500"]))
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try #require(XTCPSummary.final(of: run.stderr), "\(run.stderr)")
            #expect(summary["delivered"] == summary["envelopes"] && summary.envelopesDropped == 0, "\(run.stderr)")
            Thread.sleep(forTimeInterval: 0.3)  // the collector's last reads
            let (envelopes, torn) = try collector.envelopes()
            #expect(torn == [0], "one connection, no torn end: \(torn)")
            #expect(UInt64(envelopes.count) == summary["envelopes"], "every envelope whole, in order")
            let problems = SocketKey.pollProblems(envelopes, polls: 3, sockets: 2020)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("the collector down for 10 s, then back: no crash, delivered + dropped = envelopes, the drops unreachable, delivery again within 5 s",
          arguments: ["tcp", "unixgram"])
    func peerDownAndBack(kind: String) throws {
        try withFarm { ns, work in
            let (collector, dest) = try collector(kind, in: ns, work: work)
            defer { collector.quit() }
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "40",
                                                "-promListen", "off", "-dest", dest, "-marshal", "protobufList",
                                                "-envelopeFlushRows", "500"]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
            collector.command("down")
            Thread.sleep(forTimeInterval: 10)
            let back = Date()
            collector.command("up")
            // The second connection's file appears when it is accepted.
            while !FileManager.default.fileExists(atPath: collector.prefix + ".2"), Date().timeIntervalSince(back) < 15 {
                Thread.sleep(forTimeInterval: 0.05)
            }
            let resumed = Date().timeIntervalSince(back)
            #expect(resumed < 5, "connected again \(resumed) s after the collector came back")
            #expect(xtcp.finish() == 5, "a run that lost envelopes exits 5: \(xtcp.lines.suffix(5))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 40 polls") }.map(XTCPSummary.init(line:)), "\(xtcp.lines.suffix(3))")
            #expect(summary["delivered"] + summary.envelopesDropped == summary["envelopes"], "\(xtcp.lines.last ?? "")")
            #expect(summary.envelopesDropped > 0 && summary.droppedEnvelopes.keys.allSatisfy { $0 == "unreachable" },
                    "\(summary.droppedEnvelopes)")
            if kind == "tcp" { #expect(xtcp.lines.contains { $0.contains("connected again") }, "said when it came back") }
            Thread.sleep(forTimeInterval: 0.3)
            let (envelopes, torn) = try collector.envelopes()
            #expect(torn.count == 2 && torn[1] == 0, "two connections, the second ends whole: \(torn)")
            if kind == "tcp" {
                // What reached the collector whole is what xtcp counted
                // delivered (a torn end of the first connection was counted dropped).
                #expect(UInt64(envelopes.count) == summary["delivered"], "\(envelopes.count) whole envelopes, \(summary["delivered"]) delivered")
            } else {
                // A datagram is delivered once it is in the receiver's
                // queue: those queued and unread when it closed are lost
                // with it (at most the queue's length), never more.
                let lost = Int(summary["delivered"]) - envelopes.count
                #expect(lost >= 0 && lost <= 16, "\(envelopes.count) datagrams read, \(summary["delivered"]) delivered")
            }
            #expect(envelopes.last?.first?.pollSequence == 40, "the last poll arrived")
            let peak = summary["peakRSS"]
            #expect(peak > 0 && peak < 96 * 1024, "peak RSS \(peak) kB")
        }
    }
}

/// The connection metrics every connected destination shows, in process:
/// a tcp: destination to a port nobody listens on, then listened on.
@Suite("xtcp_destination_* metrics of a connected destination")
struct DestinationConnectionMetricsTests {
    func value(_ metrics: [MetricFamily], _ name: String) -> Double? {
        metrics.first { $0.name == name }.flatMap { family in
            family.samples.first { $0.labels.contains { $0.name == "dest" && $0.value == "tcp" } }?.value
        }
    }

    @Test("connected 0 and a failure while nobody listens; connected 1 once a listener takes the batch; the label is the scheme")
    func connectMetrics() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let destination = try DestinationSpec(parsing: "tcp:127.0.0.1:\(port)").open()
        defer { try? destination.close() }
        #expect(value(destination.metrics, "xtcp_destination_connected") == 0)
        #expect(value(destination.metrics, "xtcp_destination_connect_failures_total") == 1)
        #expect(destination.unready != nil)
        #expect(listen(listener, 4) == 0)
        Thread.sleep(forTimeInterval: 0.8)  // past the first backoff (0.5 s, jittered)
        let batch: [UInt8] = [3, 1, 2, 3]
        let outcome = try batch.withUnsafeBytes { try destination.write($0, rows: 1) }
        #expect(outcome == .queued)
        #expect(value(destination.metrics, "xtcp_destination_connected") == 1)
        #expect(value(destination.metrics, "xtcp_destination_connects_total") == 1)
        #expect(destination.unready == nil)
        #expect(destination.metrics.allSatisfy { $0.samples.allSatisfy { $0.labels.allSatisfy { $0.value == "tcp" } } })
    }
}
