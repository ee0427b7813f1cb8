#if canImport(Glibc)
import Glibc
#endif

/// The executable mappings of this process (`/proc/self/maps`), each with
/// the load address of the object it belongs to.
struct MemoryMaps {
    struct Mapping {
        var start: UInt64
        var end: UInt64
        var fileOffset: UInt64
        var path: String
        /// Where the object's first mapping (file offset 0) starts.
        var objectStart: UInt64
    }

    /// Executable mappings, sorted by start.
    private(set) var executable: [Mapping] = []

    init() {
        guard let text = try? readProcFile("/proc/self/maps") else { return }
        var objectStarts: [String: UInt64] = [:]
        var all: [(Mapping, executable: Bool)] = []
        for line in text.split(separator: "\n") {
            // start-end perms offset dev inode [path]
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
                  let offset = UInt64(fields[2], radix: 16) else { continue }
            let path = fields.count == 6 ? String(fields[5].drop { $0 == " " }) : ""
            if offset == 0, !path.isEmpty, objectStarts[path].map({ start < $0 }) ?? true { objectStarts[path] = start }
            all.append((Mapping(start: start, end: end, fileOffset: offset, path: path, objectStart: 0),
                        fields[1].contains("x")))
        }
        executable = all.filter(\.executable).map { mapping, _ in
            var mapping = mapping
            mapping.objectStart = objectStarts[mapping.path] ?? mapping.start
            return mapping
        }.sorted { $0.start < $1.start }
    }

    func mapping(containing address: UInt64) -> Mapping? {
        var low = 0, high = executable.count
        while low < high {
            let middle = (low + high) / 2
            if executable[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0, address < executable[low - 1].end else { return nil }
        return executable[low - 1]
    }
}

/// A /proc file's text (their sizes are 0 to stat, so read to the end).
func readProcFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ProcFileError(path: path, errno: errno) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    while true {
        let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if got < 0, errno == EINTR { continue }
        guard got > 0 else { break }
        bytes += chunk[0..<got]
    }
    return String(decoding: bytes, as: UTF8.self)
}

struct ProcFileError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
}
