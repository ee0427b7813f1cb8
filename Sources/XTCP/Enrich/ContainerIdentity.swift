/// Who owns a socket, as its cgroup's path says it: the container (its id
/// as the runtime writes it, and the runtime), and the Kubernetes pod (its
/// UID with dashes, as `kubectl` prints it, and its QoS class). Read from
/// the path the way the runtimes and the kubelet name their cgroups, with
/// the systemd driver (`docker-<id>.scope`, `cri-containerd-<id>.scope`,
/// `crio-<id>.scope`, `libpod-<id>.scope`, `kubepods-burstable-pod<uid>.slice`)
/// or the cgroupfs one (`/docker/<id>`, `/kubepods/burstable/pod<uid>/<id>`).
/// A conmon's scope (`crio-conmon-…`, `libpod-conmon-…`) is not the
/// container. Parsed once per cgroup (the attribution cache), never per
/// socket.
public struct ContainerIdentity: Sendable, Equatable {
    public var containerID = ""
    /// `docker`, `containerd`, `crio` or `podman`; empty when the path
    /// does not say (the cgroupfs driver under Kubernetes).
    public var runtime = ""
    public var podUID = ""
    /// `guaranteed`, `burstable` or `besteffort`; empty outside a pod.
    public var podQoSClass = ""

    public init(containerID: String = "", runtime: String = "", podUID: String = "", podQoSClass: String = "") {
        self.containerID = containerID
        self.runtime = runtime
        self.podUID = podUID
        self.podQoSClass = podQoSClass
    }

    public var isEmpty: Bool { containerID.isEmpty && podUID.isEmpty }

    /// The systemd driver's scope prefixes, by runtime.
    static let scopePrefixes: [(prefix: String, runtime: String)] = [
        ("docker-", "docker"), ("cri-containerd-", "containerd"), ("crio-", "crio"), ("libpod-", "podman"),
    ]

    /// What the cgroup at `path` (as /proc/PID/cgroup writes it) says;
    /// empty for a path of no container and no pod. The outermost
    /// container wins (a container's own sub-cgroups are its).
    public init(cgroupPath path: String) {
        let components = path.split(separator: "/")
        var previous: Substring = ""
        for component in components {
            defer { previous = component }
            if podUID.isEmpty, let pod = Self.pod(component, after: previous) {
                (podUID, podQoSClass) = pod
                continue
            }
            guard containerID.isEmpty else { continue }
            if let (id, runtime) = Self.container(component, after: previous, inPod: !podUID.isEmpty) {
                containerID = id
                self.runtime = runtime
            }
        }
    }

    /// A pod's cgroup: `kubepods[-burstable|-besteffort]-pod<uid>.slice`
    /// (systemd; the UID's dashes are underscores there), or `pod<uid>`
    /// under `kubepods[/burstable|/besteffort]` (cgroupfs). A pod in no
    /// QoS slice is guaranteed.
    static func pod(_ component: Substring, after previous: Substring) -> (uid: String, qos: String)? {
        if component.hasPrefix("kubepods"), component.hasSuffix(".slice"), let range = component.firstRange(of: "-pod") {
            let qos = component[component.index(component.startIndex, offsetBy: 8)..<range.lowerBound]
            let uid = component[range.upperBound..<component.index(component.endIndex, offsetBy: -6)]
            guard let qosClass = qosClass(qos.hasPrefix("-") ? qos.dropFirst() : qos), isUID(uid) else { return nil }
            return (String(uid.map { $0 == "_" ? "-" : $0 }), qosClass)
        }
        if component.hasPrefix("pod"), case let uid = component.dropFirst(3), isUID(uid),
           previous == "kubepods" || previous == "burstable" || previous == "besteffort" {
            return (String(uid), previous == "kubepods" ? "guaranteed" : String(previous))
        }
        return nil
    }

    static func qosClass(_ middle: Substring) -> String? {
        switch middle {
        case "": return "guaranteed"
        case "burstable", "besteffort": return String(middle)
        default: return nil
        }
    }

    /// A container's cgroup: `<runtime prefix><id>.scope` (systemd), or
    /// `<id>` under `docker`, under `libpod-…` parents, or in a pod
    /// (cgroupfs; the runtime unsaid).
    static func container(_ component: Substring, after previous: Substring, inPod: Bool) -> (id: String, runtime: String)? {
        if component.hasSuffix(".scope") {
            let name = component.dropLast(6)
            for (prefix, runtime) in scopePrefixes where name.hasPrefix(prefix) {
                let id = name.dropFirst(prefix.count)
                guard !id.hasPrefix("conmon-"), isContainerID(id) else { return nil }
                return (String(id), runtime)
            }
            return nil
        }
        if component.hasPrefix("libpod-"), previous == "libpod_parent", case let id = component.dropFirst(7), isContainerID(id) {
            return (String(id), "podman")
        }
        guard isContainerID(component) else { return nil }
        if previous == "docker" { return (String(component), "docker") }
        return inPod ? (String(component), "") : nil
    }

    /// A runtime's container id: hexadecimal, 64 digits as they write it
    /// (at least 12, the short form).
    static func isContainerID(_ text: Substring) -> Bool {
        text.utf8.count >= 12 && text.utf8.count <= 128 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// A pod UID: 36 characters of hex digits and dashes (or underscores,
    /// systemd's spelling of them).
    static func isUID(_ text: Substring) -> Bool {
        text.utf8.count == 36 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || $0 == 45 || $0 == 95 }
    }
}
