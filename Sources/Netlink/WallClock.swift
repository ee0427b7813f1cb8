#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time (CLOCK_REALTIME), for what records and captures stamp:
/// `timestamp_ns`, pcap packet times. Durations use ContinuousClock.
public enum WallClock {
    public static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
