import Foundation

/// `promtool check metrics` (Debian's prometheus package) over a page.
public enum Promtool {
    /// promtool's complaints: empty when the page is clean.
    public static func complaints(about page: String) throws -> String {
        let file = NSTemporaryDirectory() + "xtcp-metrics-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        try page.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lint = try Shell.capture(["sh", "-c", "promtool check metrics < \(file)"])
        return lint.status == 0 ? lint.stdout + lint.stderr : "exit \(lint.status): \(lint.stdout) \(lint.stderr)"
    }
}
