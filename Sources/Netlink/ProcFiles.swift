#if canImport(Glibc)
import Glibc
#endif

/// Reading /proc: a file's text (their sizes are 0 to stat, so read to the
/// end), the `Name:\tvalue` fields of a status file, a directory's entries.
public enum ProcFiles {
    public static func text(_ path: String) throws -> String {
        String(decoding: try FileBytes.read(path: path), as: UTF8.self)
    }

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

    /// The names in a directory, without `.` and `..`.
    public static func entries(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw FileBytes.ReadError(path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
