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
    /// Peak RSS (kB) of this binary's one poll of its own namespace into
    /// `-dest null`: the floor the Kafka runs' memory is compared with.
    static let idleRSS: UInt64 = {
        let run = try? Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-dest", "null", "-promListen", "off"], timeout: 60)
        let last = run?.stderr.split(separator: "\n").last.map(String.init) ?? ""
        return XTCPSummary(line: last)["peakRSS"]
    }()

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
        /// The topic's distinct messages (`messages`), how many more copies
        /// of them it held (`duplicates`), and the records of the distinct ones.
        func consume(_ topic: String, expected: UInt64) throws -> (messages: Int, duplicates: Int, records: [FlatRecord]) {
            let out = NSTemporaryDirectory() + "xtcp-consumed-\(getpid())-\(topic).bin"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let said = try Shell.run(ns.exec([
                "python3", Paths.packageRoot + "/Tests/Scripts/kafka_consume.py", mock.bootstrap, topic, out, String(expected),
            ]))
            let words = said.split(whereSeparator: \.isWhitespace)
            let all = words.count == 4 ? Int(words[1]) ?? -1 : -1, distinct = words.count == 4 ? Int(words[3]) ?? -1 : -1
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
            let records = try #require(ProtobufList.records(bytes), "the consumed messages decode as protobufList envelopes")
            return (distinct, all - distinct, records)
        }

        /// The fault tests' xtcp: a 1 MiB queue, envelopes given up after
        /// 2 s, a full queue waited on 200 ms.
        static let faultFlags = ["-frequency", "1s", "-netlinkers", "2", "-kafkaMessageTimeout", "2s", "-kafkaQueueKBytes", "1024",
                                 "-kafkaQueueFullWait", "200ms"]

        /// Seconds from `since` (the broker's return) to the first poll line
        /// that counts a delivery; lines printed before it are read first.
        func secondsUntilDelivery(_ xtcp: LineProcess, since: Date) -> Double? {
            while let line = xtcp.waitForLine(where: { $0.hasPrefix("poll ") && $0.contains(" ms namespaces=") }) {
                if XTCPSummary(line: line)["delivered"] > 0 { return Date().timeIntervalSince(since) }
            }
            return nil
        }

        /// After a fault: xtcp exits 0, or 5 when it dropped envelopes (its
        /// last line says so), every envelope was delivered or counted
        /// dropped, memory stayed within the queue's bound, and the topic
        /// holds what was counted. Returns the topic's records.
        func expectAccounted(_ xtcp: LineProcess, _ topic: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [FlatRecord] {
            let status = xtcp.finish()
            let totals = try #require(xtcp.lines.last.map(XTCPSummary.init(line:)), sourceLocation: sourceLocation)
            #expect(status == (totals.envelopesDropped > 0 ? 5 : 0), "xtcp exits 0, or 5 having dropped envelopes: \(status), \(xtcp.lines.suffix(5))",
                    sourceLocation: sourceLocation)
            let log = xtcp.lines.joined(separator: "\n")
            #expect(totals["delivered"] + totals.envelopesDropped == totals["envelopes"], "every envelope delivered or counted dropped: \(log)",
                    sourceLocation: sourceLocation)
            // The queue holds at most 1 MiB, however long the broker is away
            // or slow: the peak stays within 8 MiB of the same binary's
            // polling into nothing (what its libraries and code take).
            let bound = KafkaEndToEndTests.idleRSS + 8 * 1024
            #expect(totals["peakRSS"] > 0 && totals["peakRSS"] < bound, "peak RSS \(totals["peakRSS"]) kB, bound \(bound) kB",
                    sourceLocation: sourceLocation)
            let consumed = try consume(topic, expected: totals["delivered"])
            expectTopicMatches(consumed, totals, log, sourceLocation: sourceLocation)
            return consumed.records
        }

        /// The topic against xtcp's counts: every envelope counted delivered
        /// is there; besides, at most those handed to Kafka and then given
        /// up (`unconfirmed`, and `delivery failed`: librdkafka's "not
        /// persisted" was wrong for a few envelopes in one slow-broker run
        /// of five); never one refused before it was handed over (`queue
        /// full`). Rows likewise.
        ///
        /// Copies of one envelope (a retry the broker stored twice) are
        /// counted apart, not as envelopes: the mock broker slowed to a 1.5 s
        /// round trip stored some despite the idempotent producer.
        func expectTopicMatches(_ consumed: (messages: Int, duplicates: Int, records: [FlatRecord]), _ totals: XTCPSummary, _ log: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
            let givenUp = ["unconfirmed", "delivery failed"]
            let delivered = totals["delivered"], extra = givenUp.compactMap { totals.droppedEnvelopes[$0] }.reduce(0, +)
            #expect((delivered...delivered + extra).contains(UInt64(consumed.messages)),
                    "\(consumed.messages) envelopes in the topic (and \(consumed.duplicates) copies); \(delivered) delivered, \(extra) given up in flight: \(log)",
                    sourceLocation: sourceLocation)
            let rows = totals["records"] - totals.rowsDropped, extraRows = givenUp.compactMap { totals.droppedRows[$0] }.reduce(0, +)
            #expect((rows...rows + extraRows).contains(UInt64(consumed.records.count)),
                    "\(consumed.records.count) rows in the topic; \(rows) delivered, \(extraRows) given up in flight", sourceLocation: sourceLocation)
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
        #expect(UInt64(consumed.messages) == totals["delivered"] && consumed.duplicates == 0, "one Kafka message per envelope")
        #expect(UInt64(consumed.records.count) == totals["records"])
        for poll in UInt64(1)...3 { setup.expectWholePoll(consumed.records, poll) }
        #expect(Set(consumed.records.map(\.pollSequence)) == [1, 2, 3])
        #expect(consumed.records.allSatisfy { $0.hostname == "kafka-test" && $0.netns == "host" })
        #expect(XTCPSummary.netlinkers(in: run.stderr) == netlinkers, "\(run.stderr)")
        #expect(Set(consumed.records.map(\.netlinkerId)) == Set((0..<UInt64(netlinkers)).map { $0 }))
    }

    @Test("/readyz: ready while the broker takes envelopes, unready while it is down, ready again when it is back; /metrics shows the Kafka queue and its bound")
    func readinessFollowsTheBroker() throws {
        let topic = "xtcp-readyz"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        let port = 19_190
        func get(_ path: String) throws -> String {
            try Shell.run(setup.ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", path]))
        }
        let xtcp = try LineProcess(setup.xtcp(topic, Setup.faultFlags + ["-maxLoops", "30", "-promListen", "127.0.0.1:\(port)"]),
                                   readsStderr: true)
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
        // The queue, in bytes against its bound (-kafkaQueueKBytes 1024), for a "near full" alert.
        #expect(sum("xtcp_kafka_queue_max_bytes ") == 1024 * 1024, "\(failing)")
        #expect(sum("xtcp_kafka_queue_bytes ") > 0 && sum("xtcp_kafka_queue_bytes ") <= 1024 * 1024, "envelopes wait while the broker is down: \(failing)")
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
        let xtcp = try LineProcess(setup.xtcp(topic, Setup.faultFlags + ["-maxLoops", "72"]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
        #expect(try setup.mock.command("down 1") == "ok")
        Thread.sleep(forTimeInterval: 60)  // xtcp's lines wait in the pipe meanwhile
        let up = Date()
        #expect(try setup.mock.command("up 1") == "ok")
        let resumed = setup.secondsUntilDelivery(xtcp, since: up)
        #expect(resumed.map { $0 < 5 } == true, "delivery resumed \(String(describing: resumed)) s after the broker's return")
        let records = try setup.expectAccounted(xtcp, topic)
        #expect(XTCPSummary(line: xtcp.lines.last ?? "").envelopesDropped > 0, "envelopes were lost while the broker was down")
        // Poll 3's envelopes were in flight when the broker went down.
        for poll in UInt64(1)...2 { setup.expectWholePoll(records, poll) }
        for poll in UInt64(70)...72 { setup.expectWholePoll(records, poll) }
    }

    @Test("The broker down at start (-kafkaStartTimeout 0s): xtcp polls, counts what it cannot deliver, and delivers within 5 s of the broker's return")
    func brokerDownAtStart() throws {
        let topic = "xtcp-down-at-start"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        #expect(try setup.mock.command("down 1") == "ok")
        let xtcp = try LineProcess(setup.xtcp(topic, Setup.faultFlags + ["-maxLoops", "12", "-kafkaStartTimeout", "0s"]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 5:") } != nil, "polls with no broker: \(xtcp.lines)")
        let up = Date()
        #expect(try setup.mock.command("up 1") == "ok")
        let resumed = setup.secondsUntilDelivery(xtcp, since: up)
        #expect(resumed.map { $0 < 5 } == true, "delivery resumed \(String(describing: resumed)) s after the broker's return")
        let records = try setup.expectAccounted(xtcp, topic)
        #expect(XTCPSummary(line: xtcp.lines.last ?? "").envelopesDropped > 0, "envelopes were lost before the broker came")
        for poll in UInt64(10)...12 { setup.expectWholePoll(records, poll) }
    }

    @Test("A slow broker (1.5 s round trip for 5 polls): no crash, bounded memory, every envelope delivered or counted, whole polls after")
    func slowBroker() throws {
        let topic = "xtcp-slow"
        let setup = try Setup(topic: topic)
        defer { setup.tearDown() }
        let xtcp = try LineProcess(setup.xtcp(topic, Setup.faultFlags + ["-maxLoops", "13"]), readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
        #expect(try setup.mock.command("rtt 1 1500") == "ok")
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 7:") } != nil)
        #expect(try setup.mock.command("rtt 1 0") == "ok")
        let records = try setup.expectAccounted(xtcp, topic)
        for poll in UInt64(11)...13 { setup.expectWholePoll(records, poll) }
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
        #expect(UInt64(consumed.messages) == totals["delivered"] && consumed.duplicates == 0)
        for poll in Set(consumed.records.map(\.pollSequence)) { setup.expectWholePoll(consumed.records, poll) }
    }
}
