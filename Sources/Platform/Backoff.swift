/// How long to wait before trying a peer again: `first`, doubling after
/// each failure up to `cap`, each wait jittered by ±`jitterPercent` so a
/// fleet whose peer went away together does not come back together; or,
/// with `fullJitter`, each drawn from zero to it (AWS's advice for many
/// clients of one service: S3 uploads). `reset()` after a success.
public struct Backoff: Sendable {
    public let first: Duration
    public let cap: Duration
    public let jitterPercent: Int
    public let fullJitter: Bool
    private var current: Duration

    public init(first: Duration = .seconds(1), cap: Duration = .seconds(30), jitterPercent: Int = 20, fullJitter: Bool = false) {
        precondition(first > .zero && cap >= first && (0..<100).contains(jitterPercent))
        self.first = first
        self.cap = cap
        self.jitterPercent = jitterPercent
        self.fullJitter = fullJitter
        current = first
    }

    /// The wait before the next try; the one after it is longer.
    public mutating func next() -> Duration {
        let base = current
        current = min(current * 2, cap)
        if fullJitter { return base * Double.random(in: 0...1) }
        let spread = Double(jitterPercent) / 100
        return base * Double.random(in: (1 - spread)...(1 + spread))
    }

    public mutating func reset() { current = first }
}
