#if canImport(Glibc)
import Glibc
#endif

/// Descriptors 0, 1 and 2 as a daemon must find them, set up once at the
/// very start, before anything opens a file.
///
/// Started with one of them closed (`xtcp >&-`), the next socket or file
/// xtcp opens would take its number: records meant for stdout would be
/// written into a netlink socket, a log line into an HTTP connection. A
/// closed one is filled with /dev/null, so no descriptor xtcp opens can
/// take it, and it is remembered, so that `-dest stdout` can be refused
/// rather than counted delivered into /dev/null.
///
/// SIGPIPE is ignored: a reader that goes away (`xtcp -dest stdout | head`,
/// an HTTP client that leaves) is an EPIPE to count and say, not a silent
/// death.
public enum StandardDescriptors {
    /// Those that were closed at start (now /dev/null). Written only by
    /// `prepare`, on the main thread before any other thread exists.
    nonisolated(unsafe) public private(set) static var closedAtStart: Set<Int32> = []

    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for descriptor: Int32 in 0...2 {
            do { _ = try Syscall.fcntl(descriptor: descriptor, command: F_GETFD); continue } catch {
                guard error.errno == EBADF else { continue }
            }
            // open(2) takes the lowest free number: this one, as the lower
            // ones are open (filled first).
            guard let filled = try? Syscall.open(path: "/dev/null", flags: O_RDWR) else { continue }
            if filled.rawValue == descriptor { _ = filled.release() }
            closedAtStart.insert(descriptor)
        }
    }
}
