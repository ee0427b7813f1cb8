import Netlink

/// One field of /proc/self/status (`Name:\tvalue`), its value trimmed; nil
/// when the file or the field cannot be read.
func procSelfStatus(_ name: String) -> Substring? {
    guard let bytes = try? FileBytes.read(path: "/proc/self/status") else { return nil }
    let prefix = name + ":"
    let status = String(decoding: bytes, as: UTF8.self)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
    return line.dropFirst(prefix.count).drop { $0 == " " || $0 == "\t" }
}
