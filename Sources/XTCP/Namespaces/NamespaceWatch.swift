import Platform
#if canImport(Glibc)
import Glibc
#endif

/// inotify on the bind-mount directories: tells the daemon, between polls,
/// that a namespace was mounted or unmounted there, so it reconciles at
/// once (jobs made, sockets opened at the next dump) rather than at the
/// start of the next poll. Namespaces held only by processes have no such
/// event; the reconcile before every poll finds them.
final class NamespaceWatch {
    private let inotify: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 4096)

    /// Nil when inotify is unavailable or none of `directories` can be
    /// watched: the reconcile before each poll still finds every namespace.
    init?(directories: [String]) {
        guard let inotify = try? Syscall.inotifyInit(flags: Int32(IN_NONBLOCK)) else { return nil }
        let events = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM)
        let watched = directories.filter { (try? Syscall.inotifyAddWatch(descriptor: inotify.rawValue, path: $0, events: events)) != nil }
        guard !watched.isEmpty else { return nil }
        self.inotify = inotify
    }

    /// True when something changed since the last call (the events are
    /// drained; what changed is for the reconcile to find out).
    func changed() -> Bool {
        var any = false
        let fd = inotify.rawValue
        while case .processed(let count)? = buffer.withUnsafeMutableBytes({ try? Syscall.read(descriptor: fd, into: $0) }), count > 0 {
            any = true
        }
        return any
    }
}
