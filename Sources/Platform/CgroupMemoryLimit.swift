/// The memory limit of the cgroup this process is in, as the kernel would
/// enforce it: the least of its own and its ancestors' limits, from
/// cgroup v2's `memory.max` (pure v2 hosts, and containers) or v1's
/// `memory.limit_in_bytes` (hybrid hosts, where the memory controller
/// stays on v1). A unit's `MemoryMax=` and a pod's memory limit land here.
/// Nil when nothing limits it.
public enum CgroupMemoryLimit {
    public static func current() -> Int? {
        guard let cgroups = try? ProcFiles.text("/proc/self/cgroup"), let mounts = try? ProcFiles.text("/proc/self/mountinfo") else { return nil }
        return limit(cgroups: cgroups, mountinfo: mounts) { path in
            (try? ProcFiles.text(path)).map { $0.split(separator: "\n").first.map(String.init) ?? "" }
        }
    }

    /// Where the limit files are, for this process's cgroup and each of its
    /// ancestors, and the least limit `read` finds in them. `read` gives
    /// a file's first line, nil when there is none.
    static func limit(cgroups: String, mountinfo: String, read: (String) -> String?) -> Int? {
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
        if let v1Path, let v1Mount, let found = least(v1Path, mount: v1Mount, file: "memory.limit_in_bytes", read: read) { return found }
        if let v2Path, let v2Mount { return least(v2Path, mount: v2Mount, file: "memory.max", read: read) }
        return nil
    }

    /// The least limit in `file` of the cgroup at `path` and its ancestors
    /// that the mount shows (a container sees its own cgroup as the root).
    private static func least(_ path: Substring, mount: (root: Substring, point: Substring), file: String, read: (String) -> String?) -> Int? {
        var relative = String(path)
        if mount.root != "/", relative.hasPrefix(mount.root) { relative = String(relative.dropFirst(mount.root.count)) }
        var components = relative.split(separator: "/")
        var least: Int?
        while true {
            let folder = String(mount.point) + (components.isEmpty ? "" : "/" + components.joined(separator: "/"))
            // "max" (v2) or a value near 2^63 (v1's unlimited, page-rounded) is no limit.
            if let text = read(folder + "/" + file), let value = Int(text), value < 1 << 62 { least = min(least ?? value, value) }
            guard !components.isEmpty else { return least }
            components.removeLast()
        }
    }
}
