import Foundation
import Testing
import TestSupport

/// The capabilities xtcp needs (README, "Privileges"): CAP_NET_ADMIN for
/// its own namespace; CAP_SYS_ADMIN and CAP_SYS_PTRACE besides for every
/// other. The smoke run of `scripts/setup.sh` (poll every namespace, JSON
/// lines) under exactly those sets, as root and as an ordinary user.
@Suite("Least privilege: the capability sets xtcp needs, and what it says without them (live kernel)", .serialized)
struct LeastPrivilegeTests {
    static let allNamespaces = "+net_admin,+sys_admin,+sys_ptrace"

    /// xtcp under `setpriv` with exactly `capabilities`, polling every
    /// namespace once into a JSON-lines file; its stderr and whether a
    /// record of `namespace` is in the file.
    func run(_ setpriv: [String], seeing namespace: TestNamespace, owner: uid_t = 0) throws -> (status: Int32, stderr: String, sawNamespace: Bool) {
        let file = NSTemporaryDirectory() + "xtcp-privilege-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        chown(file, owner, owner)  // xtcp writes only into a file of its own user
        let result = try Shell.capture(["setpriv"] + setpriv + [Paths.xtcp, "-maxLoops", "1", "-dest", "file:" + file, "-marshal", "jsonl",
                                                                 "-promListen", "off"])
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return (result.status, result.stderr, text.contains("\"netns\":\"\(namespace.name)\""))
    }

    @Test("every namespace with CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_SYS_PTRACE only: as root, and as user nobody with those as ambient capabilities")
    func everyNamespace() throws {
        try withSocketFarm("port_farm.py", ["1"]) { ns, farm in
            let asRoot = try run(["--bounding-set=-all,\(Self.allNamespaces)", "--inh-caps=-all,\(Self.allNamespaces)"], seeing: ns)
            #expect(asRoot.status == 0 && asRoot.sawNamespace && !asRoot.stderr.contains("level="), "\(asRoot.stderr)")
            let asNobody = try run(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,\(Self.allNamespaces)",
                                    "--ambient-caps=-all,\(Self.allNamespaces)"], seeing: ns, owner: 65534)
            #expect(asNobody.status == 0 && asNobody.sawNamespace && !asNobody.stderr.contains("level="), "\(asNobody.stderr)")
        }
    }

    @Test("CAP_NET_ADMIN only: its own namespace, and one line saying the others cannot be seen; none at all: exit 4 naming what is missing")
    func ownNamespaceOnly() throws {
        try withSocketFarm("port_farm.py", ["1"]) { ns, farm in
            let netAdmin = try run(["--bounding-set=-all,+net_admin", "--inh-caps=-all,+net_admin"], seeing: ns)
            #expect(netAdmin.status == 0 && !netAdmin.sawNamespace, "\(netAdmin.stderr)")
            #expect(netAdmin.stderr.split(separator: "\n").filter { $0.contains("level=") } == [
                "xtcp: missing CAP_SYS_ADMIN and CAP_SYS_PTRACE to enter other namespaces: only the namespace xtcp runs in will be polled level=warning",
            ], "\(netAdmin.stderr)")
            let none = try Shell.capture(["setpriv", "--bounding-set=-all", "--inh-caps=-all", Paths.xtcp, "-maxLoops", "1", "-dest", "null"])
            #expect(none.status == 4 && none.stderr.split(separator: "\n").count == 1 && none.stderr.contains("CAP_NET_ADMIN"), "\(none.stderr)")
        }
    }
}
