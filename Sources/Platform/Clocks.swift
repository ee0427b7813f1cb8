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

extension timespec {
    /// A Duration as the timespec that nanosleep and sigtimedwait take.
    public init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    }
}

extension Duration {
    /// The duration in seconds, as Prometheus and the log lines show it.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded, as the log lines show them.
    public var roundedMilliseconds: Int { Int((inSeconds * 1000).rounded()) }
}

extension Duration {
    /// Go's spelling without zero tails (`2h` where Go prints `2h0m0s`):
    /// `1m30s`, `500ms`, `0s`, as xtcp's flags take and print durations.
    public var goSpelling: String {
        let (whole, attoseconds) = components
        var n = whole * 1_000_000_000 + attoseconds / 1_000_000_000
        if n == 0 { return "0s" }
        if n < 1_000_000_000 {
            if n % 1_000_000 == 0 { return "\(n / 1_000_000)ms" }
            if n % 1_000 == 0 { return "\(n / 1_000)µs" }
            return "\(n)ns"
        }
        var out = ""
        let hours = n / 3_600_000_000_000
        if hours > 0 { out += "\(hours)h"; n -= hours * 3_600_000_000_000 }
        let minutes = n / 60_000_000_000
        if minutes > 0 || (hours > 0 && n > 0) { out += "\(minutes)m"; n -= minutes * 60_000_000_000 }
        if n > 0 || out.isEmpty {
            let seconds = n / 1_000_000_000
            let fraction = n % 1_000_000_000
            if fraction == 0 {
                out += "\(seconds)s"
            } else {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 9 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                out += "\(seconds).\(digits)s"
            }
        }
        return out
    }
}

extension WallClock {
    /// Now in RFC 3339, UTC, to the millisecond (`2026-12-02T12:00:00.123Z`),
    /// as the json and logfmt log lines stamp it.
    public static func rfc3339() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = now.tv_nsec / 1_000_000
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
