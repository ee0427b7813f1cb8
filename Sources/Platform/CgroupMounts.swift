/// Where this host's cgroup hierarchies are mounted (`/proc/self/mountinfo`)
/// and where this process sits in them (`/proc/self/cgroup`): cgroup v2 at
/// `/sys/fs/cgroup` on pure v2 hosts and at `/sys/fs/cgroup/unified` on
/// hybrid ones, where the memory controller stays on v1.
public struct CgroupMounts: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        /// The hierarchy's path shown at the mount point: `/` but in a
        /// container, whose cgroup namespace shows its own cgroup as `/`.
        public var root: String
        public var point: String

        /// The folder of the cgroup at `path` (as /proc/PID/cgroup says it).
        public func folder(of path: String) -> String {
            var relative = path
            if root != "/", relative.hasPrefix(root) { relative = String(relative.dropFirst(root.count)) }
            return point + (relative == "/" ? "" : relative)
        }
    }

    public var v2: Mount?
    public var v1Memory: Mount?

    /// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS
    public init(mountinfo: String) {
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, dash + 3 < fields.count else { continue }
            let type = fields[dash + 1], mount = Mount(root: String(fields[3]), point: String(fields[4]))
            if type == "cgroup2", v2 == nil { v2 = mount }
            if type == "cgroup", fields[dash + 3].split(separator: ",").contains("memory"), v1Memory == nil { v1Memory = mount }
        }
    }

    /// This host's, read once.
    public static let host = CgroupMounts(mountinfo: (try? ProcFiles.text("/proc/self/mountinfo")) ?? "")
}

/// Where a process sits: its v2 path (the `0::` line) and its v1 memory
/// controller's, from /proc/PID/cgroup.
public struct CgroupMembership: Sendable, Equatable {
    public var v2Path: String?
    public var v1MemoryPath: String?

    public init(cgroups: String) {
        for line in cgroups.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0", parts[1].isEmpty { v2Path = String(parts[2]) }
            if parts[1].split(separator: ",").contains("memory") { v1MemoryPath = String(parts[2]) }
        }
    }
}
