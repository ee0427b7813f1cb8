#if canImport(Glibc)
import Glibc
#endif

extension timespec {
    /// A Duration as the timespec that nanosleep and sigtimedwait take.
    public init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    }
}
