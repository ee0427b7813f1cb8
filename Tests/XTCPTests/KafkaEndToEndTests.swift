import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport

/// xtcp polling a namespace of 2,020 sockets into the mock broker, the topic
/// read back by an independent client (confluent-kafka) and every envelope
/// decoded by protobuf-c.
///
/// xtcp, the broker and the consumer all run in the test's namespace (xtcp
/// polls the namespace it runs in until namespaces come), so xtcp's own
/// connections to the broker are sockets of that namespace too: they are
/// told apart by the broker's address, and every other record must be
/// exactly the farm `ss -tan` listed.
@Suite("Kafka end to end: every socket once per poll, through a broker and back (live kernel)", .serialized)
struct KafkaEndToEndTests {
    static let farmSockets = 2 * 10 * 101

    struct Setup {
        let ns: TestNamespace
        let farm: SocketFarm
        let mock: KafkaMock
        let farmKeys: [String]

        init(topic: String) throws {
            let ns = try TestNamespace()
            // What is made is unmade if a later step fails.
            var made: [() -> Void] = [ns.remove]
            do {
                let farm = try SocketFarm(in: ns, script: "port_farm.py", arguments: ["25"])
                made.insert(farm.stop, at: 0)
                let mock = try KafkaMock(topic: topic, partitions: 4, in: ns)
                made.insert(mock.stop, at: 0)
                let broker = "127.0.0.1:\(mock.port)"
                farmKeys = try SocketKey.ssKeys(in: ns).filter { !Self.isBroker($0, broker) }
                self.ns = ns
                self.farm = farm
                self.mock = mock
            } catch {
                for undo in made { undo() }
                throw error
            }
        }

        static func isBroker(_ key: String, _ broker: String) -> Bool {
            key.hasPrefix(broker + "|") || key.hasSuffix("|" + broker)
        }

        var broker: String { "127.0.0.1:\(mock.port)" }

        /// xtcp into the mock. 64 KiB envelopes: a poll makes several that
        /// fill their buffer, which are lent to librdkafka without a copy,
        /// and a smaller tail per netlinker, which is copied: both paths.
        /// No HTTP listener: its socket would be one more than the farm's
        /// (OperatorEndpointTests covers it).
        func xtcp(_ topic: String, _ flags: [String]) -> [String] {
            ns.exec([Paths.xtcp, "-dest", "kafka:\(mock.bootstrap)", "-topic", topic, "-pollJitterPct", "0", "-hostname", "kafka-test",
                     "-envelopeFlushBytes", "65536", "-namespaces", "own", "-promListen", "off"] + flags)
        }

        /// Every record on the topic, read with confluent-kafka.
        func consume(_ topic: String, expected: UInt64) throws -> (messages: Int, records: [FlatRecord]) {
            let out = NSTemporaryDirectory() + "xtcp-consumed-\(getpid())-\(topic).bin"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let said = try Shell.run(ns.exec([
                "python3", Paths.packageRoot + "/Tests/Scripts/kafka_consume.py", mock.bootstrap, topic, out, String(expected),
            ]))
            let messages = Int(said.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? "") ?? -1
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
            let records = try #require(ProtobufList.records(bytes), "the consumed messages decode as protobufList envelopes")
            return (messages, records)
        }

        /// The topic against xtcp's counts: every envelope counted delivered
        /// is there, and at most the `unconfirmed` ones besides (timed out in
        /// flight: the broker may have written them); rows likewise.
        func expectTopicMatches(_ consumed: (messages: Int, records: [FlatRecord]), _ totals: XTCPSummary, _ log: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
            let delivered = totals["delivered"], unconfirmed = totals.droppedEnvelopes["unconfirmed"] ?? 0
            #expect((delivered...delivered + unconfirmed).contains(UInt64(consumed.messages)),
                    "\(consumed.messages) envelopes in the topic; \(delivered) delivered, \(unconfirmed) unconfirmed: \(log)", sourceLocation: sourceLocation)
            let rows = totals["records"] - totals.rowsDropped, unconfirmedRows = totals.droppedRows["unconfirmed"] ?? 0
            #expect((rows...rows + unconfirmedRows).contains(UInt64(consumed.records.count)),
                    "\(consumed.records.count) rows in the topic; \(rows) delivered, \(unconfirmedRows) unconfirmed", sourceLocation: sourceLocation)
        }

        /// Checks that `poll`'s records are the farm's sockets, each once.
        func expectWholePoll(_ records: [FlatRecord], _ poll: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
            let rows = records.filter { $0.pollSequence == poll }
            let keys = rows.map(SocketKey.key)
            let farm = keys.filter { !Self.isBroker($0, broker) }
            #expect(farm.count == farmKeys.count, "poll \(poll): \(farm.count) farm records for \(farmKeys.count) sockets", sourceLocation: sourceLocation)
            let missing = Set(farmKeys).subtracting(farm), extra = Set(farm).subtracting(farmKeys)
            #expect(missing.isEmpty && extra.isEmpty,
                    "poll \(poll): \(missing.count) sockets missing (\(missing.prefix(3))), \(extra.count) others (\(extra.prefix(3)))",
                    sourceLocation: sourceLocation)
            #expect(Set(rows.map(\.inetDiagMsgSocketCookie)).count == rows.count, "poll \(poll): a socket twice", sourceLocation: sourceLocation)
            #expect(keys.count > farm.count, "poll \(poll): xtcp's own broker connection is a socket too", sourceLocation: sourceLocation)
        }

        func tearDown() {
            mock.stop()
            farm.stop()
            ns.remove()
        }
    }

    @Test("3 polls to Kafka: each poll is ss's socket set, nothing missing or doubled", arguments: [1, 2, 4], [false, true])
    func everySocketOncePerPoll(netlinkers: Int, ioUring: Bool) throws {
        let topic = "xtcp-e2e-\(netlinkers)-\(ioUring ? "uring" : "recv")"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        #expect(setup.farmKeys.count == Self.farmSockets)

        let run = try Shell.capture(setup.xtcp(topic, ["-frequency", "500ms", "-maxLoops", "3", "-netlinkers", "\(netlinkers)", "-cpus", "\(netlinkers)"]
                                                    + (ioUring ? ["-ioUring"] : [])))
        #expect(run.status == 0, "xtcp: \(run.stderr)")
        let totals = try #require(XTCPSummary.final(of: run.stderr), "xtcp's final line: \(run.stderr)")
        #expect(totals["envelopes"] > 0 && totals["delivered"] == totals["envelopes"] && totals.envelopesDropped == 0, "\(run.stderr)")

        let consumed = try setup.consume(topic, expected: totals["delivered"])
        #expect(UInt64(consumed.messages) == totals["delivered"], "one Kafka message per envelope")
        #expect(UInt64(consumed.records.count) == totals["records"])
        for poll in UInt64(1)...3 { setup.expectWholePoll(consumed.records, poll) }
        #expect(Set(consumed.records.map(\.pollSequence)) == [1, 2, 3])
        #expect(consumed.records.allSatisfy { $0.hostname == "kafka-test" && $0.netns == "host" })
        #expect(XTCPSummary.netlinkers(in: run.stderr) == netlinkers, "\(run.stderr)")
        #expect(Set(consumed.records.map(\.netlinkerId)) == Set((0..<UInt64(netlinkers)).map { $0 }))
    }

    @Test("/readyz: ready while the broker takes envelopes, unready while it is down, ready again when it is back; /metrics shows the Kafka queue")
    func readinessFollowsTheBroker() throws {
        let topic = "xtcp-readyz"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        let port = 19_190
        func get(_ path: String) throws -> String {
            try Shell.run(setup.ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", path]))
        }
        let xtcp = try LineProcess(setup.xtcp(topic, [
            "-frequency", "1s", "-maxLoops", "30", "-netlinkers", "2", "-promListen", "127.0.0.1:\(port)",
            "-kafkaMessageTimeout", "2s", "-kafkaQueueKBytes", "1024", "-kafkaQueueFullWait", "200ms",
        ]), readsStderr: true)
        defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
        #expect(try get("/readyz").hasPrefix("200\n"), "ready with the broker up")
        let page = try get("/metrics")
        #expect(page.contains("\nxtcp_kafka_queue_messages "), "\(page)")
        let takes = page.split(separator: "\n").first { $0.hasPrefix("xtcp_envelope_pool_takes_total ") }
        #expect((takes.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 0, "envelope buffers cycle: \(String(describing: takes))")

        #expect(try setup.mock.command("down 1") == "ok")
        #expect(xtcp.waitForLine { $0.hasPrefix("poll ") && $0.contains("dropped(") } != nil, "\(xtcp.lines)")
        let down = try get("/readyz")
        #expect(down.hasPrefix("503\n") && down.contains("lost"), "unready while envelopes are lost: \(down)")
        // Each lost envelope is also a Kafka error by librdkafka's code (a
        // refused produce, _QUEUE_FULL, or a failed delivery report), counted
        // as it happens, so never fewer than the drops the last poll recorded;
        // the client's own errors (_TRANSPORT) come besides. promtool accepts it.
        let failing = String(try get("/metrics").dropFirst(4))
        func sum(_ prefix: String) -> Double {
            failing.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        let envelopeErrors = sum("xtcp_kafka_errors_total{source=\"produce\",code=\"_QUEUE_FULL\"}")
            + sum("xtcp_kafka_errors_total{source=\"delivery\",")
        let lost = sum("xtcp_envelopes_dropped_total{reason=\"queue_full\"}") + sum("xtcp_envelopes_dropped_total{reason=\"delivery_failed\"}")
        #expect(lost > 0 && envelopeErrors >= lost, "\(failing)")
        #expect(sum("xtcp_kafka_errors_total{source=\"client\",") > 0, "\(failing)")
        #expect(try Promtool.complaints(about: failing).isEmpty)

        #expect(try setup.mock.command("up 1") == "ok")
        var ready = false
        for _ in 0..<15 where !ready {
            _ = xtcp.waitForLine { $0.hasPrefix("poll ") && $0.contains("sockets=") }
            ready = try get("/readyz").hasPrefix("200\n")
        }
        #expect(ready, "ready again once the broker takes envelopes: \(xtcp.lines.suffix(6))")
    }

    @Test("The broker down for 60 s, then up: no crash, bounded memory, every envelope delivered or counted, delivery within 5 s of its return")
    func brokerDownThenUp() throws {
        let topic = "xtcp-down-up"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }

        let xtcp = try LineProcess(setup.xtcp(topic, [
            "-frequency", "1s", "-maxLoops", "72", "-netlinkers", "2",
            "-kafkaMessageTimeout", "2s", "-kafkaQueueKBytes", "1024", "-kafkaQueueFullWait", "200ms",
        ]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
        #expect(try setup.mock.command("down 1") == "ok")
        Thread.sleep(forTimeInterval: 60)  // xtcp's lines wait in the pipe meanwhile
        let up = Date()
        #expect(try setup.mock.command("up 1") == "ok")
        // Lines printed while it was down are read first; the first with a
        // delivery was printed after the return.
        var resumedAfter: Double?
        while resumedAfter == nil, let line = xtcp.waitForLine(where: { $0.hasPrefix("poll ") && $0.contains(" ms namespaces=") }) {
            if XTCPSummary(line: line)["delivered"] > 0 { resumedAfter = Date().timeIntervalSince(up) }
        }
        #expect(resumedAfter.map { $0 < 5 } == true, "delivery resumed \(String(describing: resumedAfter)) s after the broker's return")
        #expect(xtcp.finish() == 0, "xtcp exits 0: \(xtcp.lines.joined(separator: "\n"))")

        let totals = try #require(xtcp.lines.last.map(XTCPSummary.init(line:)))
        let log = xtcp.lines.joined(separator: "\n")
        #expect(totals.envelopesDropped > 0, "envelopes were lost while the broker was down: \(log)")
        #expect(totals["delivered"] + totals.envelopesDropped == totals["envelopes"], "every envelope delivered or counted dropped: \(log)")
        // The queue holds at most 1 MiB, however long the broker is away.
        #expect(totals["peakRSS"] > 0 && totals["peakRSS"] < 32 * 1024, "peak RSS \(totals["peakRSS"]) kB")

        let consumed = try setup.consume(topic, expected: totals["delivered"])
        setup.expectTopicMatches(consumed, totals, log)
        // Poll 3's envelopes were in flight when the broker went down.
        for poll in UInt64(1)...2 { setup.expectWholePoll(consumed.records, poll) }
        for poll in UInt64(70)...72 { setup.expectWholePoll(consumed.records, poll) }
    }

    @Test("The broker down at start (-kafkaStartTimeout 0s): xtcp polls, counts what it cannot deliver, and delivers within 5 s of the broker's return")
    func brokerDownAtStart() throws {
        let topic = "xtcp-down-at-start"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        #expect(try setup.mock.command("down 1") == "ok")
        let xtcp = try LineProcess(setup.xtcp(topic, [
            "-frequency", "1s", "-maxLoops", "12", "-netlinkers", "2", "-kafkaStartTimeout", "0s",
            "-kafkaMessageTimeout", "2s", "-kafkaQueueKBytes", "1024", "-kafkaQueueFullWait", "200ms",
        ]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 5:") } != nil, "polls with no broker: \(xtcp.lines)")
        let up = Date()
        #expect(try setup.mock.command("up 1") == "ok")
        var resumedAfter: Double?
        while resumedAfter == nil, let line = xtcp.waitForLine(where: { $0.hasPrefix("poll ") && $0.contains(" ms namespaces=") }) {
            if XTCPSummary(line: line)["delivered"] > 0 { resumedAfter = Date().timeIntervalSince(up) }
        }
        #expect(resumedAfter.map { $0 < 5 } == true, "delivery resumed \(String(describing: resumedAfter)) s after the broker's return")
        #expect(xtcp.finish() == 0)
        let totals = try #require(xtcp.lines.last.map(XTCPSummary.init(line:)))
        let log = xtcp.lines.joined(separator: "\n")
        #expect(totals.envelopesDropped > 0 && totals["delivered"] + totals.envelopesDropped == totals["envelopes"], "\(log)")
        #expect(totals["peakRSS"] > 0 && totals["peakRSS"] < 32 * 1024, "peak RSS \(totals["peakRSS"]) kB")
        let consumed = try setup.consume(topic, expected: totals["delivered"])
        setup.expectTopicMatches(consumed, totals, log)
        for poll in UInt64(10)...12 { setup.expectWholePoll(consumed.records, poll) }
    }

    @Test("A slow broker (1.5 s round trip for 5 polls): no crash, bounded memory, every envelope delivered or counted, whole polls after")
    func slowBroker() throws {
        let topic = "xtcp-slow"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        let xtcp = try LineProcess(setup.xtcp(topic, [
            "-frequency", "1s", "-maxLoops", "13", "-netlinkers", "2",
            "-kafkaMessageTimeout", "2s", "-kafkaQueueKBytes", "1024", "-kafkaQueueFullWait", "200ms",
        ]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
        #expect(try setup.mock.command("rtt 1 1500") == "ok")
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 7:") } != nil)
        #expect(try setup.mock.command("rtt 1 0") == "ok")
        #expect(xtcp.finish() == 0, "\(xtcp.lines)")
        let totals = try #require(xtcp.lines.last.map(XTCPSummary.init(line:)))
        let log = xtcp.lines.joined(separator: "\n")
        #expect(totals["delivered"] + totals.envelopesDropped == totals["envelopes"], "every envelope delivered or counted dropped: \(log)")
        #expect(totals["peakRSS"] > 0 && totals["peakRSS"] < 32 * 1024, "peak RSS \(totals["peakRSS"]) kB")
        let consumed = try setup.consume(topic, expected: totals["delivered"])
        setup.expectTopicMatches(consumed, totals, log)
        for poll in UInt64(11)...13 { setup.expectWholePoll(consumed.records, poll) }
    }

    @Test("SIGTERM: the poll's envelopes are delivered before exit 0")
    func sigtermFlushes() throws {
        let topic = "xtcp-sigterm"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }

        let xtcp = try LineProcess(setup.xtcp(topic, ["-frequency", "1s", "-netlinkers", "4"]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
        // env and `ip netns exec` exec xtcp in place: the process is xtcp.
        kill(xtcp.processIdentifier, SIGTERM)
        #expect(xtcp.finish() == 0)
        let last = xtcp.lines.last ?? ""
        #expect(last.contains("ended by SIGTERM"), "\(last)")
        let totals = XTCPSummary(line: last)
        #expect(totals["envelopes"] > 0 && totals["delivered"] == totals["envelopes"] && totals.envelopesDropped == 0, "\(last)")
        let consumed = try setup.consume(topic, expected: totals["delivered"])
        #expect(UInt64(consumed.messages) == totals["delivered"])
        for poll in Set(consumed.records.map(\.pollSequence)) { setup.expectWholePoll(consumed.records, poll) }
    }
}
