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
    public static func current() -> Int? { least(of: files) { firstLine(of: $0) } }

    private static let files: [String] = {
        guard let cgroups = try? ProcFiles.text("/proc/self/cgroup"), let mounts = try? ProcFiles.text("/proc/self/mountinfo") else { return [] }
        return limitFiles(cgroups: cgroups, mountinfo: mounts)
    }()

    private static func firstLine(of path: String) -> String? {
        (try? ProcFiles.text(path)).map { $0.split(separator: "\n").first.map(String.init) ?? "" }
    }

    /// The least limit among `files` that `read` (a file's first line, nil
    /// when there is none) finds: "max" (v2) or a value near 2^63 (v1's
    /// unlimited, page-rounded) is none.
    static func least(of files: [String], read: (String) -> String?) -> Int? {
        files.compactMap { read($0).flatMap { Int($0) } }.filter { $0 < 1 << 62 }.min()
    }

    /// The limit files of this process's cgroup and each of its ancestors
    /// that the mount shows: v1's memory controller where it is mounted
    /// (hybrid hosts), else v2's. A container sees its own cgroup as the
    /// mount's root.
    static func limitFiles(cgroups: String, mountinfo: String) -> [String] {
        var v1Path: Substring?, v2Path: Substring?
        for line in cgroups.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0", parts[1].isEmpty { v2Path = parts[2] }
            if parts[1].split(separator: ",").contains("memory") { v1Path = parts[2] }
        }
        // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS
        var v1Mount: (root: Substring, point: Substring)?, v2Mount: (root: Substring, point: Substring)?
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, dash + 3 < fields.count else { continue }
            let type = fields[dash + 1], superOptions = fields[dash + 3].split(separator: ",")
            if type == "cgroup2", v2Mount == nil { v2Mount = (fields[3], fields[4]) }
            if type == "cgroup", superOptions.contains("memory"), v1Mount == nil { v1Mount = (fields[3], fields[4]) }
        }
        if let v1Path, let v1Mount { return chain(v1Path, mount: v1Mount, file: "memory.limit_in_bytes") }
        if let v2Path, let v2Mount { return chain(v2Path, mount: v2Mount, file: "memory.max") }
        return []
    }

    /// `file` in the cgroup at `path` and in each ancestor up to the mount.
    private static func chain(_ path: Substring, mount: (root: Substring, point: Substring), file: String) -> [String] {
        var relative = String(path)
        if mount.root != "/", relative.hasPrefix(mount.root) { relative = String(relative.dropFirst(mount.root.count)) }
        let components = relative.split(separator: "/")
        return (0...components.count).reversed().map { depth in
            String(mount.point) + components.prefix(depth).map { "/" + $0 }.joined() + "/" + file
        }
    }
}
