import Foundation
import Testing
import TestSupport
import Platform

@Suite("docs/clickhouse.md: its table takes xtcp's envelopes and its queries answer (chdb)", .serialized)
struct ClickHouseSchemaTests {
    static let podUID = "7e5d4c3b-2a19-4f08-9e7d-6c5b4a392817"
    struct Result: Decodable {
        var envelopes: Int
        var rows: Int
        var kinds: [[Value]]
        var top_peers: [[Value]]
        var rtt_per_namespace: [[Value]]
        var closes_by_port: [[Value]]
        var dashboard: [[[Value]]]
        var statements: [String: String]
    }

    /// A JSONCompact cell: ClickHouse writes 64-bit integers as strings.
    enum Value: Decodable, Equatable {
        case number(Double), text(String), list([Double])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Double.self) { self = .number(n) } else if let l = try? c.decode([Double].self) { self = .list(l) } else { self = .text(try c.decode(String.self)) }
        }
        var number: Double? {
            switch self {
            case .number(let n): return n
            case .text(let t): return Double(t)
            case .list: return nil
            }
        }
        var text: String? { if case .text(let t) = self { return t } else { return nil } }
        var list: [Double]? { if case .list(let l) = self { return l } else { return nil } }
    }

    @Test("polls and close events of two namespaces: rows by kind, top retransmitting peers, RTT percentiles per namespace, the dashboard queries")
    func loadAndQuery() throws {
        let a = try TestNamespace(prefix: "xtcp-ch-a"), b = try TestNamespace(prefix: "xtcp-ch-b")
        defer { a.remove(); b.remove() }
        let connectionsA = try SocketFarm(in: a, script: "change_farm.py", arguments: ["20"])
        defer { connectionsA.stop() }
        let connectionsB = try SocketFarm(in: b, script: "change_farm.py", arguments: ["10"])
        defer { connectionsB.stop() }
        // SYN retransmissions: 3 sockets to 10.9.0.2, 2 to .3, 1 to .4, made
        // by a process in a burstable pod's container cgroup.
        let cgroups = try #require(CgroupMounts.host.v2, "no cgroup v2 mount")
        let top = "/xtcp-ch-\(getpid())"
        let container = "\(top)/kubepods-burstable-pod\(Self.podUID.replacingOccurrences(of: "-", with: "_")).slice/crio-\(String(repeating: "ab", count: 32)).scope"
        try FileManager.default.createDirectory(atPath: cgroups.point + container, withIntermediateDirectories: true)
        defer { CgroupIndexTests.removeTree(cgroups.point + top) }
        let syns = try SocketFarm(command: ["sh", "-c", "echo $$ > \(cgroups.point + container)/cgroup.procs && exec \(a.exec(["python3"]).joined(separator: " ")) "
                                            + "\(Paths.packageRoot)/Tests/Scripts/syn_farm.py 10.9.0.2:3 10.9.0.3:2 10.9.0.4:1"])
        defer { syns.stop() }
        let short = try SocketFarm(in: b, script: "short_connections.py", arguments: [])
        defer { short.stop() }

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-clickhouse-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let output = work + "/xtcp.bin"
        // Every namespace of the host, from the root one, as in production.
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "1s", "-pollJitterPct", "0", "-maxLoops", "5", "-namespaces", "all",
                                    "-promListen", "off", "-closeEvents", "-dest", "file:\(output)", "-marshal", "protobufList"],
                                   readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
        #expect(short.ask("go 20") == "done")
        #expect(xtcp.finish() == 0, "\(xtcp.lines.suffix(3))")

        let json = try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/clickhouse_queries.py",
                                  Paths.packageRoot + "/docs/clickhouse.md", Paths.schema, work, output])
        let result = try JSONDecoder().decode(Result.self, from: Data(json.utf8))
        let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 5 polls") })
        #expect(summary.contains("records=\(result.rows) "), "ClickHouse holds every record xtcp wrote: \(result.rows); \(summary)")
        #expect(result.statements.values.filter { $0 == "ok" }.count >= 2, "\(result.statements)")
        #expect(result.statements["CREATE TABLE IF NOT EXISTS xtcp.records"] == "ok", "\(result.statements)")
        let kinds = Dictionary(uniqueKeysWithValues: result.kinds.compactMap { row in row[0].text.map { ($0, row[1].number ?? 0) } })
        #expect((kinds["RECORD_KIND_CLOSE"] ?? 0) >= 40 && (kinds["RECORD_KIND_POLL"] ?? 0) > 0, "\(kinds)")

        // The unreachable peers lead, in the order of their sockets.
        let peers = result.top_peers.filter { $0[0].text?.hasPrefix("10.9.0.") ?? false }
        #expect(peers.map { $0[0].text ?? "" } == ["10.9.0.2", "10.9.0.3", "10.9.0.4"], "\(result.top_peers)")
        #expect(peers.map { $0[2].number ?? 0 } == [3, 2, 1], "sockets per peer: \(peers)")
        #expect(peers.allSatisfy { ($0[1].number ?? 0) >= ($0[2].number ?? 0) }, "a retransmission per socket at least: \(peers)")

        // Each test namespace: its established sockets at every poll.
        for (ns, established) in [(a.name, 2 * 40), (b.name, 2 * 20)] {
            let row = try #require(result.rtt_per_namespace.first { $0[0].text == ns }, "\(ns): \(result.rtt_per_namespace)")
            #expect(row[1].number == Double(5 * established), "\(ns): samples \(row)")
            let q = try #require(row[2].list)
            #expect(q.count == 3 && q[0] > 0 && q[0] <= q[1] && q[1] <= q[2] && q[2] < 1_000_000, "\(ns): \(q)")
        }
        // The 20 short connections: each client once, by its peer port 6000.
        let port6000 = result.closes_by_port.first { $0[0].number == 6000 }
        #expect(port6000?[1].number == 20, "\(result.closes_by_port.prefix(4)); \(summary)")

        // The dashboard queries: sockets by state, retransmitting sockets,
        // congestion control, delivery rate.
        #expect(result.dashboard.count == 5)
        guard result.dashboard.count == 5 else { return }
        let states = result.dashboard[0]
        for (ns, established, synSent) in [(a.name, 2 * 40, 6), (b.name, 2 * 20, 0)] {
            let rows = states.filter { $0[2].text == ns }
            #expect(!rows.isEmpty && rows.filter { $0[3].number == 1 }.allSatisfy { $0[4].number == Double(established) }, "\(ns): \(rows)")
            #expect(rows.filter { $0[3].number == 2 }.allSatisfy { $0[4].number == Double(synSent) }
                    && rows.contains { $0[3].number == 2 } == (synSent > 0), "\(ns): \(rows)")
        }
        #expect(result.dashboard[1].contains { ($0[2].number ?? 0) >= 6 && ($0[3].number ?? 0) >= ($0[2].number ?? 0) }, "\(result.dashboard[1])")
        let algorithms = result.dashboard[2]
        #expect(algorithms.allSatisfy { !($0[0].text ?? "").isEmpty } && algorithms.reduce(0) { $0 + ($1[1].number ?? 0) } >= 120, "\(algorithms)")
        #expect(!result.dashboard[3].isEmpty && result.dashboard[3].allSatisfy { ($0[2].list ?? [1, 0]).first! <= ($0[2].list ?? [1, 0]).last! },
                "\(result.dashboard[3])")
        // Retransmits by pod: the SYN farm's pod, its 6 sockets, a retransmission each at least.
        let pods = result.dashboard[4]
        #expect(pods.count == 1 && pods.first?[0].text == Self.podUID && pods.first?[1].text == "burstable"
                && pods.first?[2].number == 6 && (pods.first?[3].number ?? 0) >= 6, "\(pods)")
    }
}
