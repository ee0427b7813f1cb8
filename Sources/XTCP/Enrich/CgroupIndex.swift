import Platform

/// cgroup v2 ids (the INET_DIAG_CGROUP_ID of each socket: its cgroup
/// folder's inode) to the container and pod the cgroup's path names. The
/// hierarchy is walked once at start and again only when asked for an id
/// it lacks (a container started since), at most once per
/// `rebuildInterval`, and at most `capacity` cgroups are kept: a socket
/// never costs a walk, and a host with churning containers costs one walk
/// per interval.
public final class CgroupIndex {
    public struct Counts: Sendable, Equatable {
        public var hits = 0, misses = 0, rebuilds = 0
    }

    private let mount: CgroupMounts.Mount?
    private let capacity: Int
    private let rebuildInterval: Duration
    private let clock = ContinuousClock()
    private var lastRebuild: ContinuousClock.Instant?
    private var identities: [UInt64: ContainerIdentity] = [:]
    private(set) public var counts = Counts()

    public init(mount: CgroupMounts.Mount? = CgroupMounts.host.v2, capacity: Int = 65_536, rebuildInterval: Duration = .seconds(5)) {
        self.mount = mount
        self.capacity = capacity
        self.rebuildInterval = rebuildInterval
        rebuild()
    }

    /// The container and pod of cgroup `id`; empty for a cgroup of neither
    /// or one not found.
    public func identity(of id: UInt64) -> ContainerIdentity {
        if let known = identities[id] {
            counts.hits += 1
            return known
        }
        counts.misses += 1
        if lastRebuild.map({ clock.now - $0 >= rebuildInterval }) ?? true {
            rebuild()
            if let known = identities[id] { return known }
        }
        return ContainerIdentity()
    }

    private func rebuild() {
        lastRebuild = clock.now
        counts.rebuilds += 1
        guard let mount else { return }
        var fresh: [UInt64: ContainerIdentity] = [:]
        fresh.reserveCapacity(identities.count)
        for folder in FolderTree.folders(under: mount.point, limit: capacity) {
            // The path as /proc/PID/cgroup writes it: under the mount's root.
            let path = mount.root == "/" ? folder.path : mount.root + (folder.path == "/" ? "" : folder.path)
            fresh[folder.inode] = ContainerIdentity(cgroupPath: path)
        }
        identities = fresh
    }
}
