#if canImport(Glibc)
import Glibc
#endif

/// RLIMIT_NOFILE, which bounds the sockets xtcp holds (two per polled
/// namespace and netlinker that dumps it, one per close-event
/// subscription, the listener's connections). A service manager's soft
/// limit is often far below the hard one (1024 of 524288 under systemd):
/// the daemon raises it to the hard limit at start, as any program that
/// needs many descriptors may.
public enum OpenFilesLimit {
    public struct Limits: Sendable, Equatable {
        public var soft: UInt64
        public var hard: UInt64
    }

    public static var current: Limits {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Limits(soft: 0, hard: 0) }
        return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one; the limits before, when it
    /// was raised.
    @discardableResult
    public static func raiseToHard() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return nil }
        let before = Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
        limit.rlim_cur = limit.rlim_max
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? before : nil
    }

    /// Whether an error is the process (EMFILE) or the system (ENFILE)
    /// out of descriptors.
    public static func isExhausted(_ errno: Int32) -> Bool { errno == EMFILE || errno == ENFILE }
}
