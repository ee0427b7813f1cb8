import Foundation

/// The counts of one of xtcp's accounting lines (`poll N: …` or the final
/// `xtcp: N polls…: …`), read back for assertions.
public struct XTCPSummary {
    public var values: [String: UInt64] = [:]
    /// Dropped envelopes and rows by reason ("queue full", "delivery failed", …).
    public var droppedEnvelopes: [String: UInt64] = [:]
    public var droppedRows: [String: UInt64] = [:]

    public init(line: String) {
        for match in line.matches(of: /([A-Za-z]+)=(\d+)/) {
            values[String(match.1)] = UInt64(match.2)
        }
        for match in line.matches(of: /dropped\(([^)]+)\)=(\d+) envelopes\/(\d+) rows/) {
            droppedEnvelopes[String(match.1)] = UInt64(match.2)
            droppedRows[String(match.1)] = UInt64(match.3)
        }
    }

    /// The final line of xtcp's stderr.
    public static func final(of stderr: String) -> XTCPSummary? {
        stderr.split(separator: "\n").last { $0.hasPrefix("xtcp: ") && $0.contains(" polls") }.map { XTCPSummary(line: String($0)) }
    }

    public subscript(key: String) -> UInt64 { values[key] ?? 0 }
    public var envelopesDropped: UInt64 { droppedEnvelopes.values.reduce(0, +) }
    public var rowsDropped: UInt64 { droppedRows.values.reduce(0, +) }
}

extension XTCPSummary {
    /// The netlinkers xtcp's start line says it runs.
    public static func netlinkers(in stderr: String) -> Int? {
        stderr.firstMatch(of: /with (\d+) netlinkers/).flatMap { Int($0.1) }
    }

    /// The netlinkers xtcp runs for `-netlinkers asked`: one per CPU at most
    /// (the CPUs of this process's affinity mask, as `nproc` counts them).
    public static func expectedNetlinkers(asked: Int) throws -> Int {
        min(asked, Int(try Shell.run(["nproc"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1)
    }
}
