import Testing
@testable import XTCP

/// Container and pod attribution from a cgroup path, as each runtime and
/// the kubelet (systemd and cgroupfs drivers) name their cgroups.
@Suite("Container identity from a cgroup path: Docker, containerd, CRI-O, podman, Kubernetes pods")
struct ContainerIdentityTests {
    static let id = "3f1c2b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615e4d3"
    static let uid = "5b0f2a6e-9d41-4c3e-8a7b-1f2e3d4c5b6a"
    static let slicedUID = uid.replacingAll("-", with: "_")

    @Test("each runtime's own cgroups, systemd and cgroupfs drivers; a conmon is not the container")
    func runtimes() {
        let id = Self.id
        for (path, runtime) in [("/system.slice/docker-\(id).scope", "docker"), ("/docker/\(id)", "docker"),
                                ("/system.slice/cri-containerd-\(id).scope", "containerd"), ("/machine.slice/crio-\(id).scope", "crio"),
                                ("/machine.slice/libpod-\(id).scope", "podman"), ("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(id).scope/container", "podman"),
                                ("/libpod_parent/libpod-\(id)", "podman"), ("/docker/\(id)/nested/cgroup", "docker")] {
            #expect(ContainerIdentity(cgroupPath: path) == ContainerIdentity(containerID: id, runtime: runtime), "\(path)")
        }
        #expect(ContainerIdentity(cgroupPath: "/machine.slice/crio-conmon-\(id).scope").isEmpty)
        #expect(ContainerIdentity(cgroupPath: "/machine.slice/libpod-conmon-\(id).scope").isEmpty)
    }

    @Test("Kubernetes pods: the QoS class from the slice or folder, the UID with dashes, the container in it")
    func pods() {
        let (id, uid, sliced) = (Self.id, Self.uid, Self.slicedUID)
        let cases: [(String, ContainerIdentity)] = [
            ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(sliced).slice/cri-containerd-\(id).scope",
             ContainerIdentity(containerID: id, runtime: "containerd", podUID: uid, podQoSClass: "burstable")),
            ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(sliced).slice/crio-\(id).scope",
             ContainerIdentity(containerID: id, runtime: "crio", podUID: uid, podQoSClass: "besteffort")),
            ("/kubepods.slice/kubepods-pod\(sliced).slice/docker-\(id).scope",
             ContainerIdentity(containerID: id, runtime: "docker", podUID: uid, podQoSClass: "guaranteed")),
            ("/kubepods/burstable/pod\(uid)/\(id)", ContainerIdentity(containerID: id, podUID: uid, podQoSClass: "burstable")),
            ("/kubepods/pod\(uid)/\(id)", ContainerIdentity(containerID: id, podUID: uid, podQoSClass: "guaranteed")),
            ("/kubepods/besteffort/pod\(uid)", ContainerIdentity(podUID: uid, podQoSClass: "besteffort")),
            // The pod's own slice (its pause container's parent): the pod, no container.
            ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(sliced).slice",
             ContainerIdentity(podUID: uid, podQoSClass: "burstable")),
        ]
        for (path, expected) in cases { #expect(ContainerIdentity(cgroupPath: path) == expected, "\(path)") }
    }

    @Test("paths of no container: the host's services, users, slices without a pod; ids that are not hex")
    func none() {
        for path in ["/", "/system.slice/sshd.service", "/user.slice/user-0.slice/session-3.scope", "/kubepods.slice",
                     "/kubepods.slice/kubepods-burstable.slice", "/system.slice/docker.service", "/docker/not-an-id",
                     "/system.slice/docker-\(Self.id.prefix(8)).scope", "/kubepods/burstable/podNOTAUID/\(Self.id)"] {
            #expect(ContainerIdentity(cgroupPath: path).isEmpty, "\(path)")
        }
    }
}

private extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        String(flatMap { $0 == target ? Array(replacement) : [$0] })
    }
}
