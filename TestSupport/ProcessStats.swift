import Foundation

/// A running process's threads, open files and resident memory, read from
/// /proc: what a leak would grow.
public struct ProcessStats: Equatable, CustomStringConvertible {
    public var threads: Int
    public var files: Int
    public var residentKilobytes: Int

    public init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return Int(line.dropFirst(name.count + 1).filter(\.isNumber)) ?? -1
        }
        threads = field("Threads")
        residentKilobytes = field("VmRSS")
        files = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    public var description: String { "threads=\(threads) files=\(files) rss=\(residentKilobytes)kB" }
}
