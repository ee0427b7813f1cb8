import Foundation
import Testing
import TestSupport

/// deploy/systemd: the unit systemd-analyze accepts, with exactly the
/// capabilities the README names, and a defaults file xtcp reads without a
/// warning.
@Suite("deploy/systemd: the unit and its /etc/default file (live)")
struct SystemdUnitTests {
    static let unitPath = Paths.packageRoot + "/deploy/systemd/xtcp.service"
    static let defaultsPath = Paths.packageRoot + "/deploy/systemd/xtcp.default"

    /// `Key=value` lines of the unit; a key given twice keeps both.
    static func settings() throws -> [String: [String]] {
        try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("[") && $0.contains("=") }
            .reduce(into: [:]) { all, line in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                all[parts[0], default: []].append(parts.count > 1 ? parts[1] : "")
            }
    }

    @Test("systemd-analyze verify says nothing of it (the binary path pointed at this build's, its man page found)")
    func verifies() throws {
        let copy = NSTemporaryDirectory() + "xtcp-unit-\(getpid())/xtcp.service"
        try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent) }
        try String(contentsOfFile: Self.unitPath, encoding: .utf8).replacingOccurrences(of: "/usr/bin/xtcp", with: Paths.xtcp)
            .write(toFile: copy, atomically: true, encoding: .utf8)
        // Documentation=man:xtcp(8): verify runs man, which finds the page
        // the package installs (docs/xtcp.8) through MANPATH.
        let manual = (copy as NSString).deletingLastPathComponent + "/man"
        try FileManager.default.createDirectory(atPath: manual + "/man8", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.packageRoot + "/docs/xtcp.8", toPath: manual + "/man8/xtcp.8")
        let run = try Shell.capture(["env", "MANPATH=\(manual)", "systemd-analyze", "verify", copy], timeout: 30)
        #expect(run.status == 0 && run.stderr.isEmpty && run.stdout.isEmpty, "\(run.status): \(run.stderr)\(run.stdout)")
    }

    @Test("exactly the README's three capabilities, ambient and bounding; hardened; notify, reload by SIGHUP, restart on failure")
    func settingsHold() throws {
        let unit = try Self.settings()
        let needed: Set = ["CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]
        for key in ["AmbientCapabilities", "CapabilityBoundingSet"] {
            #expect(Set((unit[key] ?? []).flatMap { $0.split(separator: " ").map(String.init) }) == needed, "\(key)")
        }
        let readme = try String(contentsOfFile: Paths.packageRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains("| every namespace | CAP_NET_ADMIN, CAP_SYS_ADMIN (setns), CAP_SYS_PTRACE"))
        for (key, value) in [("Type", "notify"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                             ("PrivateTmp", "yes"), ("Restart", "on-failure"), ("User", "xtcp"), ("StateDirectory", "xtcp"),
                             ("LogsDirectory", "xtcp"), ("ExecReload", "/bin/kill -HUP $MAINPID"), ("EnvironmentFile", "-/etc/default/xtcp")] {
            #expect(unit[key] == [value], "\(key): \(unit[key] ?? [])")
        }
    }

    @Test("every XTCP_ line of the defaults file, uncommented, is a variable xtcp takes without a warning")
    func defaultsAreKnown() throws {
        let lines = try String(contentsOfFile: Self.defaultsPath, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("#XTCP_") }.map { String($0.dropFirst()) }
        #expect(lines.count >= 15)
        var environment = ["ARGS=\"\""]
        for line in lines {
            let parts = line.split(separator: "=", maxSplits: 1)
            // A value to try where the file leaves it empty or names a host.
            let value = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : "x"
            environment.append("\(parts[0])=\(parts[0] == "XTCP_DEST" ? "null" : parts[0] == "XTCP_KAFKAPROPERTYFILE" ? "" : value)")
        }
        let run = try Shell.capture(["env"] + environment.filter { !$0.hasPrefix("XTCP_KAFKAPROPERTYFILE=") && !$0.hasPrefix("XTCP_FILTER=") }
                                    + [Paths.xtcp, "-conf"], timeout: 20)
        #expect(run.status == 0 && run.stderr.isEmpty && run.stdout.contains("frequency"), "\(run.status): \(run.stderr)")
    }
}
