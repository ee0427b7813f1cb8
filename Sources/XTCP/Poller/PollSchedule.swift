/// When the next scheduled poll is due: ticks `frequency` apart from the
/// first poll, each delayed by its own jitter (up to `-pollJitterPct` of
/// the frequency). Ticks a slow poll overran are skipped, not run back to
/// back. Polls asked for between ticks (a trigger, a burst) leave the ticks
/// where they are. A new frequency (SetPollFrequency) moves the next tick
/// to one new period after the last scheduled poll began.
struct PollSchedule {
    private(set) var frequency: Duration
    let jitterPercent: Int
    /// The next tick, without its jitter.
    private(set) var due: ContinuousClock.Instant
    private var jitter: Duration = .zero
    private var lastTick: ContinuousClock.Instant
    private(set) var skipped: UInt64 = 0

    /// The first tick is `start`, without jitter.
    init(start: ContinuousClock.Instant, frequency: Duration, jitterPercent: Int) {
        self.frequency = frequency
        self.jitterPercent = jitterPercent
        due = start
        lastTick = start
    }

    /// When to wake for the next tick.
    var wakeAt: ContinuousClock.Instant { due + jitter }

    /// A poll begins at `now`: when its tick has come, it is the scheduled
    /// one, and the schedule moves on; otherwise it was asked for between
    /// ticks, which stay where they are.
    mutating func pollBegins(at now: ContinuousClock.Instant) {
        guard now >= due else { return }
        lastTick = due
        advance()
    }

    /// A poll ended at `now`: ticks it ran past are skipped (counted).
    mutating func pollEnded(at now: ContinuousClock.Instant) {
        while due < now {
            due += frequency
            skipped += 1
        }
    }

    /// The frequency is now `frequency`: the next tick is one new period
    /// after the last tick (now, if that has passed).
    mutating func retime(_ frequency: Duration, now: ContinuousClock.Instant) {
        self.frequency = frequency
        due = max(lastTick + frequency, now)
        drawJitter()
    }

    private mutating func advance() {
        due += frequency
        drawJitter()
    }

    private mutating func drawJitter() {
        jitter = frequency * (Double.random(in: 0..<1) * Double(jitterPercent) / 100)
    }
}
