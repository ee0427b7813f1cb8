import Foundation
import Testing
import TestSupport

/// Faults that used to fall between the counters, or be said in the wrong
/// words: a namespace that cannot be entered, a broker that never answers,
/// a broker name that does not resolve.
@Suite("Accounting: a namespace without a thread, a silent or unnamed broker, readiness before any broker answered (live)", .serialized)
struct AccountingGapsTests {
    static func get(_ port: Int, _ path: String) throws -> String {
        try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", path])
    }

    /// A TCP listener that accepts and never answers: a broker that is not
    /// Kafka, or one hung.
    static func silentListener() throws -> (SocketFarm, port: Int) {
        let farm = try SocketFarm(command: ["python3", Paths.packageRoot + "/Tests/Scripts/silent_broker.py"])
        let port = try #require(Int(farm.ask("port") ?? ""), "the listener's port")
        return (farm, port)
    }

    @Test("a broker name that does not resolve: exit 3 at once (not after -kafkaStartTimeout), naming it")
    func unresolvableBroker() throws {
        let started = Date()
        let run = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off",
                                     "-dest", "kafka:no-such-broker.invalid:9092", "-kafkaStartTimeout", "30s"], timeout: 60)
        #expect(run.status == 3 && Date().timeIntervalSince(started) < 5, "\(run.status) after \(Date().timeIntervalSince(started)) s")
        #expect(run.stderr == "xtcp: cannot reach a Kafka broker at no-such-broker.invalid:9092: no broker name resolves (no-such-broker.invalid: Name or service not known)\n",
                "\(run.stderr)")
    }

    @Test("a silent broker: the listener answers during the start's wait (/healthz 200, /readyz 503), then exit 3 saying it accepts but speaks no Kafka")
    func silentBrokerAtStart() throws {
        let (listener, port) = try Self.silentListener()
        defer { listener.stop() }
        let http = 19_198
        let xtcp = try LineProcess([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "127.0.0.1:\(http)",
                                    "-dest", "kafka:127.0.0.1:\(port)", "-kafkaStartTimeout", "3s"], readsStderr: true)
        Thread.sleep(forTimeInterval: 1)
        #expect(try Self.get(http, "/healthz").hasPrefix("200\n"), "the listener is up while the broker is awaited")
        #expect(try Self.get(http, "/readyz").hasPrefix("503\n"))
        #expect(xtcp.finish() == 3)
        #expect(xtcp.lines.last == "xtcp: cannot reach a Kafka broker at 127.0.0.1:\(port) within 3s: 127.0.0.1:\(port) accepts connections but gave no Kafka answer within 3s",
                "\(xtcp.lines)")
    }

    @Test("-kafkaStartTimeout 0s and a broker that never answers: polls go on, /readyz says no broker has answered (503)")
    func neverAnsweredIsNotReady() throws {
        let (listener, port) = try Self.silentListener()
        defer { listener.stop() }
        let http = 19_199
        let xtcp = try LineProcess([Paths.xtcp, "-namespaces", "own", "-frequency", "300ms", "-pollJitterPct", "0", "-promListen", "127.0.0.1:\(http)",
                                    "-dest", "kafka:127.0.0.1:\(port)", "-kafkaStartTimeout", "0s"], readsStderr: true)
        defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 3:") } != nil)
        let ready = try Self.get(http, "/readyz")
        #expect(ready.hasPrefix("503\nno Kafka broker has answered yet"), "\(ready)")
    }

    @Test("a namespace that cannot be entered (no thread to spare under a pids cgroup): polled, counted as socket_error EAGAIN, said in its poll's line")
    func noThreadForANamespace() throws {
        let cgroup = "/sys/fs/cgroup/pids/xtcp-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: cgroup) }
        let http = 19_200
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "300ms", "-pollJitterPct", "0", "-promListen", "127.0.0.1:\(http)", "-dest", "null"],
                                   readsStderr: true)
        defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
        try "\(xtcp.processIdentifier)".write(toFile: cgroup + "/cgroup.procs", atomically: false, encoding: .utf8)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil)
        // Not one thread more: the setns thread for a new namespace fails.
        let current = try String(contentsOfFile: cgroup + "/pids.current", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try current.write(toFile: cgroup + "/pids.max", atomically: false, encoding: .utf8)
        let ns = try TestNamespace(prefix: "xtcp-nothread")
        defer { ns.remove() }
        let said = xtcp.waitForLine { $0.contains(ns.name) && $0.contains("Resource temporarily unavailable") }
        #expect(said?.contains("netlink socket: pthread_create(xtcp-setns)") == true, "\(xtcp.lines.suffix(4))")
        let page = try Self.get(http, "/metrics")
        let namespaces = page.split(separator: "\n").first { $0.hasPrefix("xtcp_namespaces ") }
        let polled = namespaces.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        let visible = try FileManager.default.contentsOfDirectory(atPath: "/run/netns").count
        #expect(polled >= visible, "the namespace without a thread is still one polled: \(String(describing: namespaces)), \(visible) in /run/netns")
        #expect(page.contains("xtcp_netlink_errors_total{kind=\"socket\",errno=\"EAGAIN\"}"), "\(page.split(separator: "\n").filter { $0.contains("netlink_errors") })")
        #expect(!page.contains("xtcp_dumps_total{outcome=\"socket_error\"} 0\n"))
        #expect(page.contains("xtcp_dumps_total{outcome=\"nlmsg_error\"} 0\n"), "not labelled as the kernel's refusal")
        try "max".write(toFile: cgroup + "/pids.max", atomically: false, encoding: .utf8)
        // Back to the root group, so the cgroup can be removed.
        try "\(xtcp.processIdentifier)".write(toFile: "/sys/fs/cgroup/pids/cgroup.procs", atomically: false, encoding: .utf8)
    }
}
