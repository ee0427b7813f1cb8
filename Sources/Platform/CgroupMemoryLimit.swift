/// The memory limit of the cgroup this process is in, as the kernel would
/// enforce it: the least of its own and its ancestors' limits, from
/// cgroup v2's `memory.max` (pure v2 hosts, and containers) or v1's
/// `memory.limit_in_bytes` (hybrid hosts, where the memory controller
/// stays on v1). A unit's `MemoryMax=` and a pod's memory limit land here.
/// Nil when nothing limits it.
public enum CgroupMemoryLimit {
    /// The limit now. Where the limit files are is found once (the process
    /// does not move between cgroups, nor the hierarchy's mount); what
    /// they say is read at each call (a limit can be changed live).
    public static func current() -> Int? { least(of: files, read: ProcFiles.firstLine) }

    private static let files = limitFiles(member: CgroupMembership(cgroups: (try? ProcFiles.text("/proc/self/cgroup")) ?? ""),
                                          mounts: .host)

    /// The least limit among `files` that `read` (a file's first line, nil
    /// when there is none) finds: "max" (v2) or a value near 2^63 (v1's
    /// unlimited, page-rounded) is none.
    static func least(of files: [String], read: (String) -> String?) -> Int? {
        files.compactMap { read($0).flatMap { Int($0) } }.filter { $0 < 1 << 62 }.min()
    }

    /// The limit files of this process's cgroup and each of its ancestors
    /// that the mount shows: v1's memory controller where it is mounted
    /// (hybrid hosts), else v2's.
    static func limitFiles(member: CgroupMembership, mounts: CgroupMounts) -> [String] {
        if let path = member.v1MemoryPath, let mount = mounts.v1Memory { return chain(mount.folder(of: path), below: mount.point, file: "memory.limit_in_bytes") }
        if let path = member.v2Path, let mount = mounts.v2 { return chain(mount.folder(of: path), below: mount.point, file: "memory.max") }
        return []
    }

    /// `file` in `folder` and in each folder above it up to `top`.
    private static func chain(_ folder: String, below top: String, file: String) -> [String] {
        var files = [folder + "/" + file]
        var current = Substring(folder)
        while current.count > top.count, let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            files.append(current + "/" + file)
        }
        return files
    }
}
