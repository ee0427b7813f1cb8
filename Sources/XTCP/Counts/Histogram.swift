/// A Prometheus histogram: cumulative counts per upper bound, sum, count.
public struct Histogram: Sendable, Equatable {
    public let bounds: [Double]
    public private(set) var counts: [UInt64]
    public private(set) var sum = 0.0
    public private(set) var count: UInt64 = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ value: Double) {
        for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
        sum += value
        count += 1
    }

    /// Adds `other`'s observations (the same bounds).
    public static func += (a: inout Histogram, b: Histogram) {
        for index in a.counts.indices { a.counts[index] += b.counts[index] }
        a.sum += b.sum
        a.count += b.count
    }

    /// 5 ms to 2 min: a poll of one small namespace to a poll of thousands.
    public static let pollSecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
    /// 100 µs to 10 s: one shard's dump of a few sockets to one of 100,000s.
    public static let dumpSecondsBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
}
