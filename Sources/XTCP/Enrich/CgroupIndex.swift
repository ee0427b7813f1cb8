import Platform
import RecordFmt

/// cgroup v2 ids (the INET_DIAG_CGROUP_ID of each socket: its cgroup
/// folder's inode) to the owner the cgroup's path names: container and
/// pod, with the container's name and image where a runtime's API told
/// them (`names`). The hierarchy is walked once at start and again only
/// when asked for an id it lacks (a container started since), at most once
/// per `rebuildInterval`, and at most `capacity` cgroups are kept: a socket
/// never costs a walk, and a host with churning containers costs one walk
/// per interval. An id still unknown right after a walk (a cgroup removed
/// while its sockets live on) is remembered as no one's until the next.
///
/// One per dump session (a netlinker's thread): no lock on the lookup.
public final class CgroupIndex {
    public struct Counts: Sendable, Equatable {
        public var hits: UInt64 = 0, misses: UInt64 = 0, rebuilds: UInt64 = 0

        public init(hits: UInt64 = 0, misses: UInt64 = 0, rebuilds: UInt64 = 0) {
            self.hits = hits
            self.misses = misses
            self.rebuilds = rebuilds
        }

        public static func += (a: inout Counts, b: Counts) {
            a.hits += b.hits
            a.misses += b.misses
            a.rebuilds += b.rebuilds
        }
    }

    private let mount: CgroupMounts.Mount?
    private let capacity: Int
    private let rebuildInterval: Duration
    private let names: (any ContainerNames)?
    private let clock = ContinuousClock()
    private var lastRebuild: ContinuousClock.Instant?
    /// The naming's generation the stamps were made with.
    private var namesSeen: UInt64 = 0
    private var identities: [UInt64: ContainerIdentity] = [:]
    private var stamps: [UInt64: OwnerStamp] = [:]
    /// Counted since the last `takeCounts()`.
    private var counts = Counts()

    public init(mount: CgroupMounts.Mount? = CgroupMounts.host.v2, capacity: Int = 65_536,
                rebuildInterval: Duration = .seconds(5), names: (any ContainerNames)? = nil) {
        self.mount = mount
        self.capacity = capacity
        self.rebuildInterval = rebuildInterval
        self.names = names
        rebuild()
    }

    /// A dump session's index, when `-resolveContainerId` is on and the
    /// host has a cgroup v2 hierarchy; containers named by `names`.
    public convenience init?(enabled config: DaemonConfig, names: (any ContainerNames)? = nil) {
        guard config.resolveContainerID, let mount = CgroupMounts.host.v2 else { return nil }
        self.init(mount: mount, names: names)
    }

    /// The owner of cgroup `id`, ready for rows; `.none` for a cgroup of no
    /// container and no pod, or one not found.
    public func stamp(of id: UInt64) -> OwnerStamp {
        if let known = stamps[id] {
            counts.hits &+= 1
            return known
        }
        counts.misses &+= 1
        guard lastRebuild.map({ clock.now - $0 >= rebuildInterval }) ?? true else { return .none }
        rebuild()
        if let known = stamps[id] { return known }
        stamps[id] = OwnerStamp.none
        return .none
    }

    /// The container and pod of cgroup `id` as its path says them.
    public func identity(of id: UInt64) -> ContainerIdentity {
        _ = stamp(of: id)
        return identities[id] ?? ContainerIdentity()
    }

    /// Restamps the containers when the runtime's API has told new names
    /// since (once per poll; cheap when it has not); whether it did.
    @discardableResult
    public func refreshNames() -> Bool {
        guard let names, names.generation != namesSeen else { return false }
        restamp()
        return true
    }

    /// The counts since the last call.
    public func takeCounts() -> Counts {
        defer { counts = Counts() }
        return counts
    }

    private func rebuild() {
        lastRebuild = clock.now
        counts.rebuilds &+= 1
        guard let mount else { return }
        let folders = FolderTree.folders(under: mount.point, limit: capacity)
        var fresh: [UInt64: ContainerIdentity] = [:]
        fresh.reserveCapacity(identities.count)
        for folder in folders {
            // The path as /proc/PID/cgroup writes it: under the mount's root.
            let path = mount.root == "/" ? folder.path : mount.root + (folder.path == "/" ? "" : folder.path)
            let identity = ContainerIdentity(cgroupPath: path)
            if !identity.isEmpty { fresh[folder.inode] = identity }
        }
        identities = fresh
        stamps.removeAll(keepingCapacity: true)
        restamp()
        // Every other folder is a cgroup of no one: a hit too.
        for folder in folders where fresh[folder.inode] == nil { stamps[folder.inode] = OwnerStamp.none }
    }

    private func restamp() {
        namesSeen = names?.generation ?? 0
        for (id, identity) in identities {
            let named = names?.nameAndImage(of: identity.containerID)
            stamps[id] = OwnerStamp(SocketOwner(
                containerID: identity.containerID, containerRuntime: identity.runtime,
                containerName: named?.name ?? "", containerImage: named?.image ?? "",
                podUID: identity.podUID, podQoSClass: identity.podQoSClass))
        }
    }
}

/// Names and images of containers by id, from a runtime's API, shared by
/// every dump session's index (read under the naming's own lock).
public protocol ContainerNames: AnyObject, Sendable {
    /// Moves on whenever a name or image changes.
    var generation: UInt64 { get }
    func nameAndImage(of containerID: String) -> (name: String, image: String)?
}
