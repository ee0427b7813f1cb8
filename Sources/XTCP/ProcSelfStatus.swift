import Netlink

/// Fields of /proc/self/status (`Name:\tvalue`) from one read of the file,
/// each value trimmed; a field that cannot be read is absent.
func procSelfStatus(_ names: Set<String>) -> [String: Substring] {
    guard let bytes = try? FileBytes.read(path: "/proc/self/status") else { return [:] }
    var fields: [String: Substring] = [:]
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":"), names.contains(String(line[..<colon])) else { continue }
        fields[String(line[..<colon])] = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
    }
    return fields
}

/// One field of /proc/self/status; nil when it cannot be read.
func procSelfStatus(_ name: String) -> Substring? { procSelfStatus([name])[name] }
