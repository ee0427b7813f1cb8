/// What a CPU profile collected: how many timer periods each (thread,
/// stack) was seen spending (a signal that stands for several periods, at
/// rates above the kernel's tick, counts for all of them).
/// Stacks are code addresses, leaf first; return addresses are stored minus
/// one so that each names the call instruction's function and line.
public struct CPUProfile: Sendable {
    public struct Key: Hashable, Sendable {
        public var thread: Int32
        public var stack: [UInt64]
    }

    public internal(set) var counts: [Key: Int] = [:]
    public let hz: Int
    public let started: ContinuousClock.Instant
    public let startedWallNanos: Int64
    public internal(set) var duration: Duration = .zero
    /// Samples lost because the signal handlers' buffer was full.
    public internal(set) var dropped: UInt64 = 0
    /// Thread names by id, read while the threads lived.
    public internal(set) var threadNames: [Int32: String] = [:]

    public var sampleCount: Int { counts.values.reduce(0, +) }

    init(hz: Int) {
        self.hz = hz
        started = .now
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        startedWallNanos = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#endif
