#if canImport(Glibc)
import Glibc
#endif

/// The folders under a folder, each with its inode as readdir(3) gives it
/// (no stat per folder): for the cgroup v2 hierarchy, where a folder's
/// inode is its cgroup's id. Symbolic links are not followed; a folder
/// that vanishes during the walk is skipped.
public enum FolderTree {
    /// `root` itself (path "/") and every folder below it, as paths
    /// relative to `root` ("/system.slice/sshd.service"), at most `limit`.
    public static func folders(under root: String, limit: Int) -> [(inode: UInt64, path: String)] {
        var found: [(inode: UInt64, path: String)] = []
        var rootStat = stat()
        guard stat(root, &rootStat) == 0 else { return [] }
        found.append((UInt64(rootStat.st_ino), "/"))
        var pending = [""]
        while let relative = pending.popLast(), found.count < limit {
            guard let directory = opendir(root + relative) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory), found.count < limit {
                guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name != ".", name != ".." else { continue }
                let path = relative + "/" + name
                found.append((UInt64(entry.pointee.d_ino), path))
                pending.append(path)
            }
        }
        return found
    }
}
