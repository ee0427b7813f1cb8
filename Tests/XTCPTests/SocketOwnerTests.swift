import Foundation
import Testing
import TestSupport
@testable import Platform
@testable import XTCP

/// Each socket's owner, end to end and live: cgroups made in the real v2
/// hierarchy named as Docker, containerd, CRI-O, podman and the kubelet
/// name them, a process with known sockets in each (some in a network
/// namespace of their own, some in the host's), and xtcp's records of those
/// sockets from a real poll of every namespace; the paths checked against
/// `ss -t --cgroup`'s.
@Suite("Socket owners: container and pod of every socket from its cgroup (live)", .serialized)
struct SocketOwnerTests {
    struct Case {
        var cgroup: String
        var port: Int
        var inNamespace: Bool
        var expected: [String: String]
    }

    static func hex(_ seed: Int) -> String {
        String(repeating: String(format: "%016llx", UInt64(seed) &* 0x9E37_79B9_7F4A_7C15), count: 4)
    }

    @Test("Docker, containerd, CRI-O, podman, a burstable pod of two containers, a host-network pod and no container: every socket's owner fields")
    func everyRuntimeAndPod() throws {
        let mount = try #require(CgroupMounts.host.v2, "no cgroup v2 mount")
        let top = "/xtcp-owner-test-\(getpid())"
        let pod = "5b0f2a6e-9d41-4c3e-8a7b-1f2e3d4c5b6a", hostPod = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
        func slice(_ uid: String) -> String { uid.replacingOccurrences(of: "-", with: "_") }
        let burstable = "\(top)/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(slice(pod)).slice"
        let besteffort = "\(top)/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(slice(hostPod)).slice"
        let none: [String: String] = ["container_id": "", "container_runtime": "", "pod_uid": "", "pod_qos_class": ""]
        let cases = [
            Case(cgroup: "\(top)/system.slice/docker-\(Self.hex(1)).scope", port: 47_941, inNamespace: true,
                 expected: ["container_id": Self.hex(1), "container_runtime": "docker", "pod_uid": "", "pod_qos_class": ""]),
            Case(cgroup: "\(top)/system.slice/cri-containerd-\(Self.hex(2)).scope", port: 47_942, inNamespace: false,
                 expected: ["container_id": Self.hex(2), "container_runtime": "containerd", "pod_uid": "", "pod_qos_class": ""]),
            Case(cgroup: "\(top)/machine.slice/crio-\(Self.hex(3)).scope", port: 47_943, inNamespace: false,
                 expected: ["container_id": Self.hex(3), "container_runtime": "crio", "pod_uid": "", "pod_qos_class": ""]),
            Case(cgroup: "\(top)/machine.slice/libpod-\(Self.hex(4)).scope", port: 47_944, inNamespace: true,
                 expected: ["container_id": Self.hex(4), "container_runtime": "podman", "pod_uid": "", "pod_qos_class": ""]),
            // The pod's two containers share its network namespace.
            Case(cgroup: "\(burstable)/cri-containerd-\(Self.hex(5)).scope", port: 47_945, inNamespace: true,
                 expected: ["container_id": Self.hex(5), "container_runtime": "containerd", "pod_uid": pod, "pod_qos_class": "burstable"]),
            Case(cgroup: "\(burstable)/cri-containerd-\(Self.hex(6)).scope", port: 47_946, inNamespace: true,
                 expected: ["container_id": Self.hex(6), "container_runtime": "containerd", "pod_uid": pod, "pod_qos_class": "burstable"]),
            // hostNetwork: true: the host's namespace, which no namespace name attributes.
            Case(cgroup: "\(besteffort)/crio-\(Self.hex(7)).scope", port: 47_947, inNamespace: false,
                 expected: ["container_id": Self.hex(7), "container_runtime": "crio", "pod_uid": hostPod, "pod_qos_class": "besteffort"]),
            Case(cgroup: "\(top)/user.slice/session-1.scope", port: 47_948, inNamespace: false, expected: none),
        ]
        for c in cases { try FileManager.default.createDirectory(atPath: mount.point + c.cgroup, withIntermediateDirectories: true) }
        defer { CgroupIndexTests.removeTree(mount.point + top) }

        try withTestNamespace(prefix: "xtcp-owner") { ns in
            // Each process joins its cgroup first, then (for some) the
            // namespace, and holds a listener and one connection to it:
            // three sockets, the accepted one inheriting the listener's cgroup.
            var processes: [LineProcess] = []
            defer { for process in processes { kill(process.processIdentifier, SIGKILL); process.finish() } }
            for c in cases {
                let python = "python3 -c \"import socket,time; l=socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', \(c.port))); l.listen(); "
                    + "c=socket.create_connection(('127.0.0.1', \(c.port))); a=l.accept(); print('ready', flush=True); time.sleep(60)\""
                let enter = c.inNamespace ? "ip netns exec \(ns.name) " : ""
                let process = try LineProcess(["sh", "-c", "echo $$ > \(mount.point + c.cgroup)/cgroup.procs && exec \(enter)\(python)"])
                processes.append(process)
                #expect(process.waitForLine { $0 == "ready" } != nil, "\(c.cgroup)")
            }

            let dump = try Shell.run([Paths.xtcp, "-namespaces", "all", "-maxLoops", "1", "-promListen", "off", "-dest", "stdout", "-marshal", "jsonl"])
            let records = dump.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            // What ss says of the same sockets: each one's cgroup path
            // (TIME-WAIT ones, an earlier run's, belong to no cgroup).
            let ssHost = try Shell.run(["ss", "-tanH", "--cgroup", "exclude", "time-wait"])
            let ssNamespace = try Shell.run(["nsenter", "--net=/run/netns/\(ns.name)", "ss", "-tanH", "--cgroup", "exclude", "time-wait"])
            for c in cases {
                let mine = records.filter {
                    guard ($0["inet_diag_msg_state"] as? Int) != 6 else { return false }  // TCP_TIME_WAIT
                    let source = $0["inet_diag_msg_socket_source_port"] as? Int, destination = $0["inet_diag_msg_socket_destination_port"] as? Int
                    return (source == c.port || destination == c.port) && (($0["netns"] as? String) == ns.name) == c.inNamespace
                }
                #expect(mine.count == 3, "\(c.cgroup): the listener, the connection and the accepted socket: \(mine.count)")
                for record in mine {
                    let owner = c.expected.mapValues { _ in "" }.merging(c.expected) { $1 }
                    let actual = owner.keys.reduce(into: [String: String]()) { $0[$1] = record[$1] as? String ?? "" }
                    #expect(actual == c.expected, "\(c.cgroup)")
                    let inode = try FileManager.default.attributesOfItem(atPath: mount.point + c.cgroup)[.systemFileNumber] as? UInt64
                    #expect((record["c_group"] as? NSNumber)?.uint64Value == inode, "\(c.cgroup): c_group is the folder's inode")
                }
                let ssLines = (c.inNamespace ? ssNamespace : ssHost).split(separator: "\n").filter { $0.contains("127.0.0.1:\(c.port) ") }
                #expect(ssLines.count == 3, "\(c.cgroup): ss sees 3 sockets: \(ssLines)")
                for line in ssLines {
                    let path = line.firstMatch(of: /cgroup:(\S+)/).map { String($0.output.1) }
                    #expect(path == c.cgroup, "ss: \(line)")
                    let parsed = ContainerIdentity(cgroupPath: path ?? "")
                    #expect([parsed.containerID, parsed.runtime, parsed.podUID, parsed.podQoSClass]
                            == [c.expected["container_id"], c.expected["container_runtime"], c.expected["pod_uid"], c.expected["pod_qos_class"]],
                            "ss's path says the same owner: \(line)")
                }
            }

            // Off: the columns stay empty.
            let off = try Shell.run([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "stdout", "-marshal", "jsonl",
                                     "-resolveContainerId", "false"])
            let docker = off.split(separator: "\n").filter { $0.contains("\"inet_diag_msg_socket_source_port\":47942") && !$0.contains("\"inet_diag_msg_state\":6,") }
            #expect(docker.count == 2 && docker.allSatisfy { !$0.contains("\"container_id\":\"") || $0.contains("\"container_id\":\"\"") }, "\(docker)")
        }
    }
}
