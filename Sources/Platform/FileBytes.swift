#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files with the system calls of `Syscall` (no Foundation).
public enum FileBytes {
    /// The file's bytes; a read that fails throws its `SystemError`
    /// (`open(PATH)`, `read`), with the path as its subject.
    public static func read(path: String) throws(SystemError) -> [UInt8] {
        let file = try Syscall.open(path: path, flags: O_RDONLY)
        return try read(descriptor: file.rawValue)
    }

    /// What is left to read of an open file, to its end (at most `limit`
    /// bytes: past it, EFBIG).
    public static func read(descriptor fd: Int32, limit: Int = .max) throws(SystemError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let result = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in try Syscall.read(descriptor: fd, into: buffer) }
            }.get()
            guard case .processed(let count) = result else { continue }
            if count == 0 { return out }
            guard out.count + count <= limit else { throw SystemError(.read, errno: EFBIG) }
            out.append(contentsOf: chunk[0..<count])
        }
    }

    /// The file's text, as UTF-8 (invalid bytes replaced).
    public static func text(path: String) throws(SystemError) -> String {
        String(decoding: try read(path: path), as: UTF8.self)
    }
}

/// Reading /proc: a file's text (their sizes are 0 to stat, so read to the
/// end), the `Name:\tvalue` fields of a status file, a directory's entries.
public enum ProcFiles {
    public static func text(_ path: String) throws(SystemError) -> String { try FileBytes.text(path: path) }

    /// The fields named of a status file (`/proc/self/status`,
    /// `/proc/self/task/N/status`) from one read, each value trimmed; a
    /// field that cannot be read is absent.
    public static func statusFields(_ path: String, _ names: Set<String>) -> [String: Substring] {
        guard let text = try? text(path) else { return [:] }
        var fields: [String: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), names.contains(String(line[..<colon])) else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        }
        return fields
    }

    /// A file's first line (sysfs's one-value files, cgroup limits), nil
    /// when it cannot be read.
    public static func firstLine(_ path: String) -> String? {
        guard let text = try? text(path) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
    }

    /// Fields of /proc/self/status.
    public static func selfStatus(_ names: Set<String>) -> [String: Substring] { statusFields("/proc/self/status", names) }

    /// One field of /proc/self/status; nil when it cannot be read.
    public static func selfStatus(_ name: String) -> Substring? { selfStatus([name])[name] }

    /// The names in a directory, without `.` and `..`.
    public static func entries(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(.opendir, errno: errno, subject: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The process's peak RSS (VmHWM) in KiB. Not getrusage's ru_maxrss:
    /// that survives execve, so a daemon started by a large process
    /// (posix_spawn from a test runner) would report its parent's peak.
    public static func peakResidentKilobytes() -> Int {
        selfStatus("VmHWM").flatMap { Int($0.filter(\.isNumber)) } ?? 0
    }
}
