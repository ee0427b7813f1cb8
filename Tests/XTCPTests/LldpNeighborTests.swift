import Foundation
import Testing
import TestSupport
@testable import XTCP

/// Two network namespaces joined by a veth pair, a real lldpd (Debian's) in
/// each with its own control socket (-u) and system name, sending every
/// second: what xtcp reads through liblldpctl, against what lldpcli and the
/// kernel say.
@Suite("LLDP: uplink neighbours from two real lldpd on a veth pair, through liblldpctl (live)", .serialized)
struct LldpNeighborTests {
    /// The pair; `near` is where xtcp runs, `far` the "switch" it sees.
    final class LldpPair {
        let near: TestNamespace, far: TestNamespace
        let nearLink = "lla\(getpid() % 100_000)", farLink = "llb\(getpid() % 100_000)"
        let folder = NSTemporaryDirectory() + "xtcp-lldp-\(getpid())"
        var nearSocket: String { folder + "/near.sock" }
        var farSocket: String { folder + "/far.sock" }
        private var daemons: [String: Process] = [:]

        init() throws {
            near = try TestNamespace(prefix: "xtcp-lldp")
            far = try TestNamespace(prefix: "xtcp-lldp")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Shell.run(["ip", "link", "add", nearLink, "netns", near.name, "type", "veth", "peer", "name", farLink, "netns", far.name])
            for command in [near.exec(["ip", "addr", "add", "10.78.0.1/24", "dev", nearLink]), near.exec(["ip", "link", "set", nearLink, "up"]),
                            near.exec(["ip", "route", "add", "default", "via", "10.78.0.2"]),
                            far.exec(["ip", "addr", "add", "10.78.0.2/24", "dev", farLink]), far.exec(["ip", "link", "set", farLink, "up"])] {
                try Shell.run(command)
            }
            try start("near")
            try start("far")
        }

        /// lldpd in the foreground, its system name `peer-<which>`, sending
        /// every second.
        func start(_ which: String) throws {
            let conf = folder + "/\(which).conf"
            try "configure system hostname peer-\(which)\nconfigure lldp tx-interval 1\n".write(toFile: conf, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // With the signal mask cleared: the test process blocks the
            // signals xtcp waits for, a spawned process inherits the mask,
            // and lldpd's SIGTERM handler would never run.
            let unblocked = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"]
            process.arguments = (which == "near" ? near : far).exec(unblocked + ["lldpd", "-d", "-u", folder + "/\(which).sock", "-O", conf])
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/\(which).log", isDirectory: false).creatingFile())
            try process.run()
            daemons[which] = process
        }

        /// SIGTERM to lldpd's monitor (`ip netns exec` execs it), which
        /// ends its privilege-separated child too.
        func stop(_ which: String) {
            guard let process = daemons.removeValue(forKey: which) else { return }
            process.terminate()
            process.waitUntilExit()
        }

        /// What `lldpcli -f keyvalue show neighbors` on the near side says,
        /// once it has heard the far side (lldpd sends every second; bounded
        /// at 20 s).
        func heard() throws -> [String: String] {
            for _ in 0..<200 {
                let said = (try? Shell.run(["lldpcli", "-u", nearSocket, "-f", "keyvalue", "show", "neighbors"])) ?? ""
                let pairs = Dictionary(said.split(separator: "\n").compactMap { line -> (String, String)? in
                    guard let equals = line.firstIndex(of: "=") else { return nil }
                    return (String(line[..<equals]), String(line[line.index(after: equals)...]))
                }, uniquingKeysWith: { first, _ in first })
                if pairs["lldp.\(nearLink).chassis.name"] != nil { return pairs }
                Thread.sleep(forTimeInterval: 0.1)
            }
            throw Shell.Failure(command: ["lldpcli", "show", "neighbors"], status: -1, stderr: "the near lldpd never heard the far one")
        }

        /// The far veth's MAC, as the kernel says it.
        var farMAC: String {
            get throws { try Shell.run(far.exec(["cat", "/sys/class/net/\(farLink)/address"])).trimmingCharacters(in: .whitespacesAndNewlines) }
        }

        func remove() {
            for which in Array(daemons.keys) { stop(which) }
            near.remove()
            far.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test("liblldpctl: the far chassis' name, id and management address and its port as lldpcli and the kernel say them; a rename heard by notification; lldpd gone, counted and forgotten; back, heard again")
    func neighbours() throws {
        let pair = try LldpPair()
        defer { pair.remove() }
        let said = try pair.heard()
        let neighbours = LldpNeighbors(socket: pair.nearSocket)
        #expect(neighbours.snapshot.byInterface.isEmpty, "nothing asked before the thread starts")
        try neighbours.follow()
        defer { neighbours.stop() }
        let first = try #require(neighbours.snapshot.byInterface[pair.nearLink], "read at start: \(neighbours.snapshot)")
        let mac = try pair.farMAC
        #expect(first.chassisName == "peer-far" && first.chassisName == said["lldp.\(pair.nearLink).chassis.name"])
        #expect(first.chassisID == mac && said["lldp.\(pair.nearLink).chassis.mac"] == mac, "\(first) vs \(said)")
        #expect(first.portID == mac && said["lldp.\(pair.nearLink).port.mac"] == mac)
        #expect(first.portDescription == pair.farLink && said["lldp.\(pair.nearLink).port.descr"] == pair.farLink)
        #expect(first.managementAddress == "10.78.0.2" && said["lldp.\(pair.nearLink).chassis.mgmt-ip"]?.hasPrefix("10.78.0.2") == true)
        let start = neighbours.takeCounts()
        #expect(start.reads >= 1 && start.failures == 0, "\(start)")

        try Shell.run(["lldpcli", "-u", pair.farSocket, "configure", "system", "hostname", "peer-renamed"])
        #expect(eventually { neighbours.snapshot.byInterface[pair.nearLink]?.chassisName == "peer-renamed" }, "\(neighbours.snapshot)")

        pair.stop("near")
        #expect(eventually { neighbours.snapshot.byInterface.isEmpty }, "forgotten when lldpd goes: \(neighbours.snapshot)")
        let gone = neighbours.takeCounts()
        #expect(gone.failures >= 1 && gone.reads >= 2, "\(gone)")
        #expect(neighbours.takeProblem()?.contains("lldpd at \(pair.nearSocket)") == true)

        try pair.start("near")
        #expect(eventually(within: 40) { neighbours.snapshot.byInterface[pair.nearLink]?.chassisName == "peer-renamed" }, "heard again: \(neighbours.snapshot)")
    }

    @Test("records: uplink1_lldp_* are the far lldpd's from the first poll; its rename is in the polls after it")
    func recordColumns() throws {
        let pair = try LldpPair()
        defer { pair.remove() }
        _ = try pair.heard()
        let mac = try pair.farMAC
        // A listener for a record a poll; xtcp polls 4 times a second; the
        // far side is renamed after a second, in the middle of the run.
        let script = """
            python3 -c "import socket,time; l=socket.socket(); l.bind(('127.0.0.1', 5998)); l.listen(); time.sleep(6)" &
            sleep 0.3
            \(Paths.xtcp) -namespaces own -frequency 250ms -pollJitterPct 0 -maxLoops 16 -promListen off -marshal jsonl \
                -lldpdSocket \(pair.nearSocket) > \(pair.folder)/records.jsonl 2> \(pair.folder)/xtcp.log &
            sleep 1.2
            lldpcli -u \(pair.farSocket) configure system hostname peer-renamed
            wait %2
            """
        try Shell.run(pair.near.exec(["sh", "-c", script]))
        let records = try String(contentsOfFile: pair.folder + "/records.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { ($0["inet_diag_msg_socket_source_port"] as? Int) == 5998 }
        #expect(records.count == 16, "a record a poll: \(records.count); \((try? String(contentsOfFile: pair.folder + "/xtcp.log", encoding: .utf8)) ?? "")")
        let first = try #require(records.first)
        #expect(first["uplink1_ifname"] as? String == pair.nearLink)
        #expect(first["uplink1_lldp_chassis_name"] as? String == "peer-far")
        #expect(first["uplink1_lldp_chassis_id"] as? String == mac && first["uplink1_lldp_port_id"] as? String == mac)
        #expect(first["uplink1_lldp_port_descr"] as? String == pair.farLink && first["uplink1_lldp_mgmt_ip"] as? String == "10.78.0.2")
        #expect(records.last?["uplink1_lldp_chassis_name"] as? String == "peer-renamed",
                "renamed by the last poll: \(records.map { $0["uplink1_lldp_chassis_name"] as? String ?? "?" })")
        #expect(first["uplink2_ifname"] as? String == "" && first["uplink2_lldp_chassis_name"] as? String == "")
    }
}

private extension URL {
    /// The file, made empty (FileHandle(forWritingTo:) wants it there).
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
