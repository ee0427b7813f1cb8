import Foundation
import RecordFmt
import Testing
import TestSupport

/// `-marshal csv`, `tsv` and `msgpack`, read by Python's own readers (the
/// csv module, msgpack) and compared value by value with jsonl's of the
/// same records (`Tests/Scripts/formats_check.py`): a replayed capture
/// gives both runs the same records.
@Suite("csv, tsv and msgpack: Python's readers find jsonl's values", .serialized)
struct TextFormatsTests {
    static let capture = "\(Paths.xtcp2Captures)/6_10_3/6_10_3_tcp_1000_sockets.pcap"
    /// A label that needs csv's quoting.
    static let label = "rack 4, \"blue\" row"

    struct Check: Decodable {
        var rows: Int
        var expected: Int
        var header: [String]?
        var mismatchCount: Int
        var mismatches: String
    }

    func withOutputs(_ body: (String) throws -> Void) throws {
        let work = NSTemporaryDirectory() + "xtcp-formats-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.run([Paths.xtcp, "-replay", Self.capture, "-label", Self.label, "-marshal", "jsonl", "-dest", "file:\(work)/out.jsonl"])
        try body(work)
    }

    func check(_ format: String, _ path: String, against work: String) throws -> Check {
        let json = try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/formats_check.py", format, path, work + "/out.jsonl"])
        return try JSONDecoder().decode(Check.self, from: Data(json.utf8))
    }

    @Test("csv with -columns and tsv with every field: the header is the columns, every value jsonl's (humanised), quoting read back", arguments: [
        ("csv", ["-columns", "label,timestamp_ns,inet_diag_msg_state,tcp_info_ca_state,inet_diag_msg_socket_destination,tcp_info_rtt,congestion_algorithm_enum"]),
        ("tsv", []),
    ])
    func delimited(format: String, columns: [String]) throws {
        try withOutputs { work in
            let path = "\(work)/out.\(format)"
            try Shell.run([Paths.xtcp, "-replay", Self.capture, "-label", Self.label, "-marshal", format, "-dest", "file:\(path)"] + columns)
            let result = try check(format, path, against: work)
            let names = columns.isEmpty ? FlatRecord.fieldDescriptors.map(\.name) : columns[1].split(separator: ",").map(String.init)
            #expect(result.header == names)
            #expect((result.header?.count ?? 0) > (columns.isEmpty ? 150 : 6))
            #expect(result.rows == result.expected && result.rows > 1000, "\(result.rows) rows of \(result.expected)")
            #expect(result.mismatchCount == 0, "\(result.mismatches)")
        }
    }

    @Test("msgpack: every record a map equal to jsonl's object")
    func messagePack() throws {
        try withOutputs { work in
            try Shell.run([Paths.xtcp, "-replay", Self.capture, "-label", Self.label, "-marshal", "msgpack", "-dest", "file:\(work)/out.msgpack"])
            let result = try check("msgpack", "\(work)/out.msgpack", against: work)
            #expect(result.rows == result.expected && result.rows > 1000)
            #expect(result.mismatchCount == 0, "\(result.mismatches)")
        }
    }

    @Test("the header once per file: a second run appending to the file adds rows, not a header; -dest stderr and stdout begin with it")
    func headerOnce() throws {
        try withOutputs { work in
            let path = "\(work)/twice.csv"
            for _ in 0..<2 {
                try Shell.run([Paths.xtcp, "-replay", Self.capture, "-marshal", "csv", "-columns", "hostname,tcp_info_rtt", "-dest", "file:\(path)"])
            }
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.filter { $0 == "hostname,tcp_info_rtt" }.count == 1 && lines.first == "hostname,tcp_info_rtt")
            #expect(lines.count == 1 + 2 * 1587, "\(lines.count) lines")
            let onStderr = try Shell.capture([Paths.xtcp, "-replay", Self.capture, "-marshal", "csv", "-columns", "hostname,tcp_info_rtt", "-dest", "stderr"])
            let stderrLines = onStderr.stderr.split(separator: "\n")
            #expect(onStderr.status == 0 && stderrLines.first == "hostname,tcp_info_rtt", "\(stderrLines.prefix(2))")
            #expect(stderrLines.filter { $0.hasSuffix(",0") || $0.contains(",") }.count >= 1587, "the rows on stderr, beside xtcp's own line")
            let onStdout = try Shell.run([Paths.xtcp, "-replay", Self.capture, "-marshal", "tsv", "-columns", "hostname,tcp_info_rtt"])
            #expect(onStdout.split(separator: "\n").first == "hostname\ttcp_info_rtt")
        }
    }
}
