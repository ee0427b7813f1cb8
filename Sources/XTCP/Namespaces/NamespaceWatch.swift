#if canImport(Glibc)
import Glibc
#endif

/// inotify on the bind-mount directories: tells the daemon, between polls,
/// that a namespace was mounted or unmounted there, so it reconciles at
/// once (threads started, sockets opened at the next dump) rather than at
/// the start of the next poll. Namespaces held only by processes have no
/// such event; the reconcile before every poll finds them.
final class NamespaceWatch {
    private let descriptor: Int32

    /// Nil when inotify is unavailable: the reconcile before each poll
    /// still finds every namespace.
    init?(directories: [String]) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        var watched = 0
        let events = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM)
        for directory in directories where inotify_add_watch(fd, directory, events) >= 0 {
            watched += 1
        }
        guard watched > 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// True when something changed since the last call (the events are
    /// drained; what changed is for the reconcile to find out).
    func changed() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var any = false
        while read(descriptor, &buffer, buffer.count) > 0 { any = true }
        return any
    }
}
