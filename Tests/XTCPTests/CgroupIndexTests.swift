import Foundation
import Testing
import TestSupport
@testable import Platform
@testable import XTCP
import RecordFmt

/// cgroup ids to containers against the real cgroup v2 hierarchy: cgroups
/// made as Docker and a Kubernetes pod name them, a process with a socket
/// in each, and the socket's INET_DIAG_CGROUP_ID (read by xtcp) mapped back.
@Suite("Cgroup index: real v2 cgroups named as runtimes name them, their ids from the kernel's socket dumps (live)", .serialized)
struct CgroupIndexTests {
    static let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let uid = "5b0f2a6e-9d41-4c3e-8a7b-1f2e3d4c5b6a"

    @Test("a Docker scope and a burstable pod's container: each id found by one walk; a cgroup made later by the next rebuild; misses counted")
    func realHierarchy() throws {
        let mount = try #require(CgroupMounts.host.v2, "no cgroup v2 mount")
        let top = "/xtcp-index-test-\(getpid())"
        let docker = top + "/system.slice/docker-\(Self.id).scope"
        let sliced = Self.uid.map { $0 == "-" ? "_" : $0 }
        let pod = top + "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(String(sliced)).slice/cri-containerd-\(Self.id).scope"
        for path in [docker, pod] { try FileManager.default.createDirectory(atPath: mount.point + path, withIntermediateDirectories: true) }
        defer { Self.removeTree(mount.point + top) }

        // The socket's cgroup id as the kernel reports it: a listener made
        // by a process in the Docker cgroup, dumped by xtcp.
        let listener = try LineProcess(["sh", "-c", "echo $$ > \(mount.point + docker)/cgroup.procs && exec python3 -c \"import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1', 47931)); s.listen(); print('ready', flush=True); time.sleep(30)\""])
        defer { kill(listener.processIdentifier, SIGKILL); listener.finish() }
        #expect(listener.waitForLine { $0 == "ready" } != nil)
        let dump = try Shell.run([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "stdout", "-marshal", "jsonl"])
        let record = dump.split(separator: "\n").first { $0.contains("\"inet_diag_msg_socket_source_port\":47931") }
        let cgroupID = record.flatMap { $0.firstMatch(of: /"c_group":(\d+)/).flatMap { UInt64($0.output.1) } }
        let inode = try FileManager.default.attributesOfItem(atPath: mount.point + docker)[.systemFileNumber] as? UInt64
        #expect(cgroupID != nil && cgroupID == inode, "the socket's cgroup id is its folder's inode: \(String(describing: record))")

        let index = CgroupIndex(mount: mount, rebuildInterval: .zero)
        #expect(index.identity(of: cgroupID ?? 0) == ContainerIdentity(containerID: Self.id, runtime: "docker"))
        let podInode = try #require(try FileManager.default.attributesOfItem(atPath: mount.point + pod)[.systemFileNumber] as? UInt64)
        #expect(index.identity(of: podInode) == ContainerIdentity(containerID: Self.id, runtime: "containerd", podUID: Self.uid, podQoSClass: "burstable"))
        #expect(index.takeCounts() == .init(hits: 2, misses: 0, rebuilds: 1))
        #expect(index.stamp(of: podInode) == OwnerStamp(SocketOwner(containerID: Self.id, containerRuntime: "containerd", podUID: Self.uid, podQoSClass: "burstable")))
        #expect(index.stamp(of: inode ?? 0).encoded.byteCount > 64, "the owner's fields encoded once, with the stamp")
        _ = index.takeCounts()

        // A container started after the walk: found by the rebuild its miss makes.
        let later = top + "/system.slice/crio-\(Self.id).scope"
        try FileManager.default.createDirectory(atPath: mount.point + later, withIntermediateDirectories: true)
        let laterInode = try #require(try FileManager.default.attributesOfItem(atPath: mount.point + later)[.systemFileNumber] as? UInt64)
        #expect(index.identity(of: laterInode) == ContainerIdentity(containerID: Self.id, runtime: "crio"))
        #expect(index.takeCounts() == .init(hits: 0, misses: 1, rebuilds: 1))

        // Debounced: within the interval, a miss walks nothing.
        let slow = CgroupIndex(mount: mount, rebuildInterval: .seconds(3600))
        #expect(slow.identity(of: UInt64.max).isEmpty && slow.identity(of: UInt64.max - 1).isEmpty)
        #expect(slow.takeCounts() == .init(hits: 0, misses: 2, rebuilds: 1))

        // A cgroup of no one (the test's own top folder) is known too: a hit, stamped with nothing.
        let topInode = try #require(try FileManager.default.attributesOfItem(atPath: mount.point + top)[.systemFileNumber] as? UInt64)
        #expect(slow.stamp(of: topInode) == .none)
        #expect(slow.takeCounts() == .init(hits: 1, misses: 0, rebuilds: 0))
    }

    /// cgroups are removed leaves first (rmdir; a cgroup is no folder of files).
    static func removeTree(_ path: String) {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children where (try? FileManager.default.attributesOfItem(atPath: path + "/" + child)[.type] as? FileAttributeType) == .typeDirectory {
            removeTree(path + "/" + child)
        }
        rmdir(path)
    }
}
