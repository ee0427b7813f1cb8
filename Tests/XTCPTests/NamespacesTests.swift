import Foundation
import Glibc
import RecordFmt
import Testing
import TestSupport

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

    @Test("50 namespaces, half bind-mounted and half held by a process: every socket, each under its namespace's name and inode")
    func fiftyNamespaces() throws {
        var namespaces: [FarmedNamespace] = []
        defer { for namespace in namespaces { namespace.remove() } }
        for i in 0..<50 {
            let connections = i + 1
            if i % 2 == 0 {
                let ns = try TestNamespace(prefix: "xtcp-ns50")
                let farm = try SocketFarm(in: ns, script: "small_farm.py", arguments: ["\(connections)"])
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
        let output = NSTemporaryDirectory() + "xtcp-ns50-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try Shell.capture([Paths.xtcp, "-frequency", "1s", "-maxLoops", "3", "-pollJitterPct", "0", "-netlinkers", "1",
                                     "-dest", "file:\(output)", "-marshal", "protobufList"])
        #expect(run.status == 0, "\(run.stderr)")
        let records = try #require(ProtobufList.records(try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))))

        let byInode = Dictionary(grouping: records, by: \.netnsInode)
        for namespace in namespaces {
            let expected = SSOutput.parse(try Shell.run(namespace.ssCommand())).map { SocketKey.key($0.local, $0.peer) }
            #expect(expected.count == namespace.sockets)
            let rows = byInode[namespace.inode] ?? []
            let name = namespace.name ?? "netns:[\(namespace.inode)]"
            #expect(rows.allSatisfy { $0.netns == name }, "\(name): \(Set(rows.map(\.netns)))")
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
