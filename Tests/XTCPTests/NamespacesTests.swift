import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport
import XTCP

@Suite("Every network namespace is found and polled (live kernel)", .serialized)
struct NamespacesTests {
    /// A namespace of the test: made by `ip netns add` (named) or held only
    /// by its farm process (`unshare --net`), with 2 + 4N sockets.
    struct FarmedNamespace {
        let name: String?
        let inode: UInt64
        let farm: SocketFarm
        let named: TestNamespace?
        let sockets: Int

        func ssCommand() -> [String] {
            if let named { return named.exec(["ss", "-tan"]) }
            return ["nsenter", "--net=/proc/\(farm.processIdentifier)/ns/net", "ss", "-tan"]
        }

        func remove() {
            farm.stop()
            named?.remove()
        }
    }

    /// The inode of the namespace `path` names (stat follows /proc's
    /// magic link; FileManager would describe the link itself).
    static func namespaceInode(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Shell.Failure(command: ["stat", path], status: errno, stderr: "") }
        return UInt64(info.st_ino)
    }

    @Test("50 namespaces, half bind-mounted and half held by a process: every socket, each under its namespace's name and inode",
          arguments: ReceivePath.allCases)
    func fiftyNamespaces(path: ReceivePath) throws {
        var namespaces: [FarmedNamespace] = []
        defer { for namespace in namespaces { namespace.remove() } }
        for i in 0..<50 {
            let connections = i + 1
            if i % 2 == 0 {
                let ns = try TestNamespace(prefix: "xtcp-ns50")
                let farm: SocketFarm
                do { farm = try SocketFarm(in: ns, script: "small_farm.py", arguments: ["\(connections)"]) } catch {
                    ns.remove()
                    throw error
                }
                namespaces.append(FarmedNamespace(
                    name: ns.name, inode: try Self.namespaceInode("/run/netns/\(ns.name)"), farm: farm, named: ns, sockets: 2 + 4 * connections))
            } else {
                let farm = try SocketFarm(
                    command: ["unshare", "--net", "--", "sh", "-c",
                              "ip link set lo up && exec python3 \(Paths.packageRoot)/Tests/Scripts/small_farm.py \(connections)"])
                namespaces.append(FarmedNamespace(
                    name: nil, inode: try Self.namespaceInode("/proc/\(farm.processIdentifier)/ns/net"), farm: farm, named: nil,
                    sockets: 2 + 4 * connections))
            }
        }
        // Ids for the named ones, as `ip netns set` gives them; the others have none.
        for (index, namespace) in namespaces.enumerated() where namespace.named != nil {
            try Shell.run(["ip", "netns", "set", namespace.name!, "\(1000 + index)"])
        }
        let output = NSTemporaryDirectory() + "xtcp-ns50-\(path.tag)-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try Shell.capture([Paths.xtcp, "-frequency", "1s", "-maxLoops", "3", "-pollJitterPct", "0", "-netlinkers", "1",
                                     "-dest", "file:\(output)", "-marshal", "protobufList"] + path.flags)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try #require(try ProtobufList.records(inFile: output))

        let byInode = Dictionary(grouping: records, by: \.netnsInode)
        for (index, namespace) in namespaces.enumerated() {
            let expected = SSOutput.parse(try Shell.run(namespace.ssCommand())).map { SocketKey.key($0.local, $0.peer) }
            #expect(expected.count == namespace.sockets)
            let rows = byInode[namespace.inode] ?? []
            let name = namespace.name ?? "netns:[\(namespace.inode)]"
            #expect(rows.allSatisfy { $0.netns == name }, "\(name): \(Set(rows.map(\.netns)))")
            let nsid = namespace.named == nil ? 0 : UInt32(1000 + index)
            #expect(rows.allSatisfy { $0.nsid == nsid }, "\(name): nsid \(Set(rows.map(\.nsid))), expected \(nsid)")
            for poll in UInt64(1)...3 {
                let keys = rows.filter { $0.pollSequence == poll }.map(SocketKey.key)
                #expect(keys.count == expected.count && Set(keys) == Set(expected),
                        "\(name) poll \(poll): \(keys.count) records for \(expected.count) sockets")
            }
        }
        let host = records.filter { $0.netns == "host" }
        #expect(!host.isEmpty, "the host's own sockets are polled too")
    }
}

@Suite("Namespaces mounted between polls (inotify)", .serialized)
struct NamespaceWatchTests {
    @Test("ip netns add between two polls is taken in at once, ip netns del let go at once")
    func takenInBetweenPolls() throws {
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "4s", "-pollJitterPct", "0", "-netlinkers", "1", "-maxLoops", "2",
                                    "-dest", "null"], readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") && $0.contains("ms namespaces=") } != nil)
        let ns = try TestNamespace(prefix: "xtcp-watch")
        // Other namespaces may come and go too: this one is found by name.
        let added = xtcp.waitForLine { ($0.hasPrefix("between polls 1 and 2:") && $0.contains("+1 (\(ns.name))")) || $0.hasPrefix("poll 2") }
        #expect(added?.hasPrefix("between polls 1 and 2:") == true, "\(xtcp.lines)")
        ns.remove()
        let removed = xtcp.waitForLine { ($0.hasPrefix("between polls 1 and 2:") && $0.contains("-1 (\(ns.name))")) || $0.hasPrefix("poll 2") }
        #expect(removed?.hasPrefix("between polls 1 and 2:") == true, "\(xtcp.lines)")
        #expect(xtcp.finish() == 0)
    }
}

extension NamespaceWatchTests {
    @Test("-reconcileFrequency: a namespace held only by a process is taken in between polls too")
    func periodicReconcile() throws {
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "5s", "-pollJitterPct", "0", "-netlinkers", "1", "-maxLoops", "2",
                                    "-reconcileFrequency", "500ms", "-dest", "null"], readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") && $0.contains("ms namespaces=") } != nil)
        let farm = try SocketFarm(command: ["unshare", "--net", "--", "sh", "-c",
                                            "ip link set lo up && exec python3 \(Paths.packageRoot)/Tests/Scripts/small_farm.py 1"])
        var info = stat()
        #expect(stat("/proc/\(farm.processIdentifier)/ns/net", &info) == 0)
        let name = "netns:[\(info.st_ino)]"
        let added = xtcp.waitForLine { ($0.hasPrefix("between polls 1 and 2:") && $0.contains(name)) || $0.hasPrefix("poll 2") }
        #expect(added?.hasPrefix("between polls 1 and 2:") == true, "\(xtcp.lines)")
        farm.stop()
        #expect(xtcp.finish() == 0)
    }
}

@Suite("Namespaces come and go while xtcp polls (live kernel)", .serialized)
struct NamespaceChurnTests {
    struct Churned: Decodable {
        var name: String?
        var inode: UInt64
        var created: UInt64
        var deleted: UInt64
    }

    @Test("60 s of namespace churn, 300+ create/delete cycles: no crash, every namespace that lived two whole polls is seen, nothing leaks")
    func churn() throws {
        // A socket of the test's own in the host namespace, so that every
        // poll has a record, and with it the poll's time.
        let anchor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(anchor) }
        #expect(listen(anchor, 1) == 0)

        let output = NSTemporaryDirectory() + "xtcp-churn-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let xtcp = try LineProcess([Paths.xtcp, "-frequency", "500ms", "-pollJitterPct", "0", "-netlinkers", "1",
                                    "-dest", "file:\(output)", "-marshal", "protobufList"], readsStderr: true)
        #expect(xtcp.waitForLine { $0.hasPrefix("poll 6:") } != nil)
        let before = try ProcessStats(pid: xtcp.processIdentifier)
        let clock = ContinuousClock()
        let sixth = clock.now

        let said = try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/netns_churn.py", "60", "8", "xtcp-churn-\(getpid())"])
        let lines = said.split(separator: "\n")
        let cycles = (try? JSONDecoder().decode([String: Int].self, from: Data(lines.last!.utf8)))?["cycles"] ?? 0
        #expect(cycles >= 300, "\(cycles) create/delete cycles")
        let churned = try lines.dropLast().map { try JSONDecoder().decode(Churned.self, from: Data($0.utf8)) }

        // 4 polls after the churn (its lines wait unread in the pipe, so
        // the poll number comes from the time): vanished namespaces are
        // released by then.
        let (seconds, attoseconds) = (clock.now - sixth).components
        let settled = 6 + Int((Double(seconds) + Double(attoseconds) / 1e18) / 0.5) + 4
        #expect(xtcp.waitForLine { $0.hasPrefix("poll \(settled):") } != nil)
        let after = try ProcessStats(pid: xtcp.processIdentifier)
        kill(xtcp.processIdentifier, SIGTERM)
        #expect(xtcp.finish() == 0, "xtcp ended badly: \(xtcp.lines.suffix(5))")
        // A namespace gone between the reconcile and its dump (its process
        // ended) had nothing to lose: counted apart, never a failed dump.
        #expect(!xtcp.lines.contains { $0.contains("dumpsFailed") || $0.contains("No such file") }, "\(xtcp.lines.filter { $0.contains("dumpsFailed") || $0.contains("No such file") }.prefix(3))")
        let vanished = XTCPSummary(line: xtcp.lines.last ?? "")["namespacesVanished"]

        #expect(abs(after.threads - before.threads) <= 2, "threads: before \(before), after \(after)")
        #expect(abs(after.files - before.files) <= 2, "open files: before \(before), after \(after)")
        #expect(Double(after.residentKilobytes) <= Double(before.residentKilobytes) * 1.10, "RSS: before \(before), after \(after)")

        let records = try #require(try ProtobufList.records(inFile: output))
        var pollTimes: [UInt64: UInt64] = [:]
        for record in records { pollTimes[record.pollSequence] = UInt64(record.timestampNs) }
        let times = pollTimes.keys.sorted().map { pollTimes[$0]! }
        let seen = Set(records.map(\.netnsInode))
        var lived = 0
        for namespace in churned {
            // Alive through two whole polls: made before poll p began, gone
            // after poll p+2 began (so poll p+1 had ended).
            guard times.indices.dropLast(2).contains(where: { namespace.created < times[$0] && namespace.deleted > times[$0 + 2] }) else { continue }
            lived += 1
            #expect(seen.contains(namespace.inode), "\(namespace.name ?? "netns:[\(namespace.inode)]") lived two polls but is not in the output")
        }
        #expect(lived >= 20, "\(lived) namespaces lived across two polls")
        // The figures, for the record (the test log keeps them).
        print("namespace churn: \(cycles) cycles, \(lived) lived across two polls, all seen, \(vanished) gone before their dump; xtcp before \(before), after \(after)")
    }
}

@Suite("Namespace names and privileges")
struct NamespaceNamingTests {
    @Test("-maxNamespaces: the bound holds and says so once")
    func maxNamespaces() throws {
        try withTestNamespace(prefix: "xtcp-max") { ns in
            let run = try Shell.capture([Paths.xtcp, "-maxNamespaces", "1", "-maxLoops", "2", "-frequency", "200ms", "-dest", "null"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.components(separatedBy: "namespaces left out: -maxNamespaces 1 reached").count == 2, "\(run.stderr)")
            #expect(run.stderr.contains("ms namespaces=1 "), "\(run.stderr)")
        }
    }

    @Test("container ids from /proc/PID/cgroup: Docker, containerd, CRI-O, podman; none from a plain service")
    func containerIDs() {
        let id = String(repeating: "0123456789abcdef", count: 4)
        #expect(ContainerID.fromCgroup("0::/system.slice/docker-\(id).scope\n") == "0123456789ab")
        #expect(ContainerID.fromCgroup("12:memory:/docker/\(id)\n0::/docker/\(id)") == "0123456789ab")
        #expect(ContainerID.fromCgroup("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-\(id).scope") == "0123456789ab")
        #expect(ContainerID.fromCgroup("0::/kubepods/burstable/pod1/crio-\(id).scope") == "0123456789ab")
        #expect(ContainerID.fromCgroup("0::/machine.slice/libpod-\(id).scope/container") == "0123456789ab")
        #expect(ContainerID.fromCgroup("0::/system.slice/sshd.service") == nil)
        #expect(ContainerID.fromCgroup("0::/user.slice/\(id.prefix(63))") == nil)
    }

    @Test("without CAP_SYS_ADMIN and CAP_SYS_PTRACE: one line saying so, and the own namespace is polled")
    func withoutNamespaceCapabilities() throws {
        let run = try Shell.capture(["setpriv", "--bounding-set", "-sys_admin,-sys_ptrace", "--inh-caps", "-sys_admin,-sys_ptrace",
                                     Paths.xtcp, "-maxLoops", "1", "-dest", "null"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("xtcp: missing CAP_SYS_ADMIN and CAP_SYS_PTRACE to enter other namespaces: only the namespace xtcp runs in will be polled"),
                "\(run.stderr)")
        #expect(run.stderr.contains("polling its own namespace"))
    }
}
