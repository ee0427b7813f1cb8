import Foundation
import Platform
import Netlink
import RecordFmt
import Testing
import TestSupport

/// Real consumers read what `xtcp -replay … -marshal protobufList` writes.
@Suite("ClickHouse and protoc read xtcp's envelopes", .serialized)
struct ConsumersReadOutputTests {
    static let capture = "\(Paths.xtcp2Captures)/6_10_3/6_10_3_tcp_1000_sockets.pcap"

    func replay(to path: String, extra: [String] = []) throws {
        try Shell.run([Paths.xtcp, "-replay", Self.capture, "-dest", "file:\(path)", "-marshal", "protobufList", "-hostname", "replay-host"] + extra)
    }

    @Test("chdb (ClickHouse) loads every row with the same values")
    func clickHouseReadsEnvelopes() throws {
        let out = NSTemporaryDirectory() + "xtcp-ch-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: out) }
        // One envelope: ClickHouse's file() reads one ProtobufList message
        // per file (its Kafka engine, one per Kafka message).
        try replay(to: out, extra: ["-envelopeFlushRows", "100000"])
        let json = try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/clickhouse_check.py", out, Paths.schema])
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String]]
        let (records, _) = try Replay.records(path: Self.capture, attributes: .defaultSet)
        #expect(rows.count == records.count)
        #expect(records.count > 1000)
        for (row, r) in zip(rows, records) {
            let expected = [
                String(r.inetDiagMsgSocketCookie), String(r.inetDiagMsgState), String(r.inetDiagMsgSocketSourcePort),
                String(r.tcpInfoRtt), String(r.tcpInfoBytesReceived), r.congestionAlgorithmString, "replay-host",
                r.inetDiagMsgSocketSource.bytes.map { String(format: "%02X", $0) }.joined(), String(r.skMemInfoRcvBuf),
            ]
            #expect(Array(row.prefix(9)) == expected)
            if Array(row.prefix(9)) != expected { break }
        }
    }

    @Test("protoc --decode reads an envelope")
    func protocDecodes() throws {
        let out = NSTemporaryDirectory() + "xtcp-protoc-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try replay(to: out, extra: ["-envelopeFlushRows", "100000"])  // one envelope
        // protoc reads a bare message: the envelope without its length prefix.
        let envelope = try #require(ProtobufList.envelopes(FileBytes.read(path: out))?.first)
        let bare = out + ".bare"
        defer { try? FileManager.default.removeItem(atPath: bare) }
        try Data(envelope).write(to: URL(fileURLWithPath: bare))
        let protoDir = Paths.packageRoot + "/proto/xtcp_flat_record/v1"
        let text = try Shell.run(["sh", "-c", "protoc --decode=xtcp_flat_record.v1.Envelope -I \(protoDir) xtcp_flat_record.proto < \(bare)"])
        let (records, _) = try Replay.records(path: Self.capture, attributes: .defaultSet)
        #expect(text.components(separatedBy: "row {").count - 1 == records.count)
        #expect(text.contains("hostname: \"replay-host\""))
        #expect(text.contains("congestion_algorithm_enum: CONGESTION_ALGORITHM_CUBIC"))
        // Our protoText marshaller prints what protoc prints.
        let ours = try Shell.run([Paths.xtcp, "-replay", Self.capture, "-marshal", "protoText", "-hostname", "replay-host", "-envelopeFlushRows", "100000"])
        #expect(ours == text)
    }
}
