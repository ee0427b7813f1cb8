import Platform

/// Finds every network namespace on the host: those named by bind mounts in
/// `directories` (`ip netns add` makes them in /run/netns, Docker in
/// /run/docker/netns) and those held by a process (/proc/PID/ns/net),
/// deduplicated by the namespace's inode, the host's own included.
///
/// Names, in order of preference: the bind mount's file name; a container
/// id from the holding process's cgroup; `netns:[INODE]`. The daemon's own
/// namespace is `host`.
public struct NamespaceDiscovery: Sendable {
    public var directories: [String]
    public var procRoot = "/proc"

    public static let defaultDirectories = ["/run/netns", "/run/docker/netns"]

    public init(directories: [String] = Self.defaultDirectories) {
        self.directories = directories
    }

    /// One scan. Namespaces it cannot stat (a process that exited between
    /// the listing and the stat, a path it may not read) are left out: the
    /// next scan sees what is then alive.
    public func scan() -> [PolledNamespace] {
        var found: [UInt64: PolledNamespace] = [:]
        var order: [UInt64] = []
        func add(_ namespace: PolledNamespace) {
            guard found[namespace.inode] == nil else { return }
            found[namespace.inode] = namespace
            order.append(namespace.inode)
        }
        let own = PolledNamespace.own()
        add(own)
        for directory in directories {
            for entry in Self.list(directory).sorted() {
                let path = directory + "/" + entry
                guard let inode = Self.namespaceInode(path) else { continue }
                add(PolledNamespace(name: entry, inode: inode, path: path))
            }
        }
        for entry in Self.list(procRoot) {
            guard let pid = Int32(entry), pid > 0 else { continue }
            let path = "\(procRoot)/\(pid)/ns/net"
            guard let inode = Self.namespaceInode(path), found[inode] == nil else { continue }
            let name = ContainerID.fromCgroup(Self.read("\(procRoot)/\(pid)/cgroup")) ?? "netns:[\(inode)]"
            add(PolledNamespace(name: name, inode: inode, path: path))
        }
        return order.map { found[$0]! }
    }

    /// The inode of the network namespace `path` names, if it is one: a
    /// file on nsfs, whose device every namespace file shares (a plain file
    /// left in /run/netns by a failed `ip netns add` is on another device).
    static func namespaceInode(_ path: String) -> UInt64? {
        guard let status = try? Syscall.fileStatus(path: path), status.device == nsfsDevice else { return nil }
        return status.inode
    }

    /// The device of nsfs, from the daemon's own namespace file.
    static let nsfsDevice: UInt64 = (try? Syscall.fileStatus(path: "/proc/self/ns/net").device) ?? .max

    public static func list(_ directory: String) -> [String] { (try? ProcFiles.entries(directory)) ?? [] }

    static func read(_ path: String) -> String {
        (try? FileBytes.text(path: path)) ?? ""
    }
}

/// Container ids in /proc/PID/cgroup lines: Docker (`/docker/<64 hex>`,
/// `docker-<64 hex>.scope`), containerd/CRI-O under Kubernetes
/// (`cri-containerd-<64 hex>.scope`, `crio-<64 hex>.scope`), podman
/// (`libpod-<64 hex>.scope`). The first 12 characters, as `docker ps` shows.
public enum ContainerID {
    public static func fromCgroup(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            let path = line.split(separator: ":", maxSplits: 2).last ?? ""
            for component in path.split(separator: "/").reversed() {
                var id = Substring(component)
                for prefix in ["docker-", "cri-containerd-", "crio-", "libpod-"] where id.hasPrefix(prefix) {
                    id = id.dropFirst(prefix.count)
                }
                if id.hasSuffix(".scope") { id = id.dropLast(".scope".count) }
                if id.count == 64, id.allSatisfy(\.isHexDigit) { return String(id.prefix(12)) }
            }
        }
        return nil
    }
}
