/// Problems met between two reports (a poll's line), each distinct line
/// once with how often it came: a dead broker or a full descriptor table
/// repeats itself many times a poll. At most `limit` distinct lines are
/// kept; the rest are counted in one more line.
public struct ProblemLog: Sendable {
    private var counts: [String: Int] = [:]
    private var order: [String] = []
    private var beyondLimit = 0
    public let limit: Int

    public init(limit: Int = 20) {
        self.limit = limit
    }

    public mutating func add(_ line: String) {
        if let count = counts[line] {
            counts[line] = count + 1
        } else if order.count < limit {
            counts[line] = 1
            order.append(line)
        } else {
            beyondLimit += 1
        }
    }

    /// The lines so far (`line (N times)` for repeats), and an empty log.
    public mutating func take() -> [String] {
        defer { self = ProblemLog(limit: limit) }
        return lines
    }

    public var lines: [String] {
        order.map { line in counts[line]! > 1 ? "\(line) (\(counts[line]!) times)" : line }
            + (beyondLimit > 0 ? ["\(beyondLimit) more problems of other kinds"] : [])
    }
}
