import Foundation
import Testing
import TestSupport

/// deploy/prometheus and deploy/grafana: the alert rules pass promtool's
/// checks and their own unit tests; the dashboard is valid JSON whose
/// every query parses; and every metric the rules and the dashboard name
/// is one a live xtcp (polling, to a Kafka broker) really exports.
@Suite("deploy/prometheus and deploy/grafana: rules tested by promtool, every metric named exported (live)", .serialized)
struct MonitoringDeployTests {
    static let rules = Paths.packageRoot + "/deploy/prometheus/alerts.yaml"
    static let ruleTests = Paths.packageRoot + "/deploy/prometheus/alerts_test.yaml"
    static let dashboard = Paths.packageRoot + "/deploy/grafana/xtcp.json"

    /// The dashboard's queries, each panel's title with it.
    static func dashboardQueries() throws -> [(panel: String, expr: String)] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dashboard))) as? [String: Any]
        let panels = json?["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { (panel["title"] as? String ?? "?", $0) }
            }
        }
    }

    /// The metric families an expression names (`xtcp_…`, `process_…`),
    /// a histogram's `_bucket` as its family.
    static func metricNames(in expression: String) -> Set<String> {
        Set(expression.matches(of: /\b(?:xtcp|process)_[a-z_]+/).map { match in
            var name = String(match.output)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && name.contains("duration") {
                name = String(name.dropLast(suffix.count))
            }
            return name
        })
    }

    @Test("promtool check rules and promtool test rules pass; each of the seven alerts is tested firing and quiet")
    func rulesPass() throws {
        let check = try Shell.capture(["promtool", "check", "rules", Self.rules])
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 7 rules found"), "\(check.stdout)\(check.stderr)")
        let tests = try Shell.capture(["promtool", "test", "rules", Self.ruleTests])
        #expect(tests.status == 0 && tests.stdout.contains("SUCCESS"), "\(tests.stdout)\(tests.stderr)")
        let alerts = try String(contentsOfFile: Self.rules, encoding: .utf8).matches(of: /alert: (\w+)/).map { String($0.output.1) }
        let tested = try String(contentsOfFile: Self.ruleTests, encoding: .utf8).matches(of: /alertname: (\w+)/).map { String($0.output.1) }
        #expect(alerts.count == 7 && alerts.allSatisfy { name in tested.filter { $0 == name }.count == 2 }, "\(alerts) \(tested)")
    }

    @Test("the dashboard is valid JSON, and every query parses as PromQL (promtool, as recording rules)")
    func dashboardParses() throws {
        let queries = try Self.dashboardQueries()
        #expect(queries.count >= 30)
        // Each query as a recording rule: promtool parses every expression.
        let file = NSTemporaryDirectory() + "xtcp-dashboard-rules-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let quoted = queries.enumerated().map { index, query in
            "      - record: xtcp_dashboard_query_\(index)\n        expr: '\(query.expr.replacingOccurrences(of: "'", with: "''"))'"
        }
        try ("groups:\n  - name: dashboard\n    rules:\n" + quoted.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let check = try Shell.capture(["promtool", "check", "rules", file])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test("every metric the rules and the dashboard name is in a live /metrics of xtcp polling to Kafka")
    func everyMetricNamedIsExported() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let mock = try KafkaMock(topic: "xtcp-monitoring", partitions: 1, in: ns)
        defer { mock.stop() }
        let port = 19_194
        let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "200ms", "-dest", "kafka:\(mock.bootstrap)",
                                            "-topic", "xtcp-monitoring", "-closeEvents", "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
        defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil, "\(xtcp.lines)")
        let page = try Shell.run(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", "/metrics"]))
        let exported = Set(page.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(exported.count >= 40, "\(exported.sorted())")
        let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
            .split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("expr:") }.map(String.init)
        #expect(rules.count == 7)
        var named: [String: Set<String>] = [:]
        for expression in rules { named["alerts.yaml", default: []].formUnion(Self.metricNames(in: expression)) }
        for query in try Self.dashboardQueries() { named["xtcp.json: \(query.panel)", default: []].formUnion(Self.metricNames(in: query.expr)) }
        for (place, names) in named.sorted(by: { $0.key < $1.key }) {
            #expect(names.subtracting(exported).isEmpty, "\(place) names metrics xtcp does not export: \(names.subtracting(exported).sorted())")
        }
        #expect(named.values.reduce(into: Set<String>()) { $0.formUnion($1) }.count >= 35)
    }
}
