import Platform

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
        guard let text = try? ProcFiles.text("/proc/self/maps") else { return }
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
        guard let index = executable.lastIndex(sortedBy: \.start, atMost: address), address < executable[index].end else { return nil }
        return executable[index]
    }
}
