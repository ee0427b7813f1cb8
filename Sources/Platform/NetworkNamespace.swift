import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Work done inside another network namespace. A socket belongs to the
/// namespace of the thread that creates it and can then be used from any
/// thread, so only creation needs `setns`: a short-lived thread enters the
/// namespace, runs the work, and ends. It never returns to a pool that
/// could run other work, so no thread is ever left in the wrong namespace.
///
/// One such thread at a time in the whole process: however many threads
/// ask at once (every netlinker at the first poll), entering namespaces
/// adds one thread to the process, never one per asker.
public enum NetworkNamespace {
    private static let entering = Mutex(())

    /// Runs `body` on a new thread inside the namespace that `path` names
    /// (`/run/netns/NAME`, `/proc/PID/ns/net`); returns what it returned or
    /// throws what it threw. Errors name the call: `open(PATH)` when the
    /// file is gone, `setns(PATH)` when it is no namespace (any more).
    public static func run<T>(in path: String, _ body: @escaping () throws -> T) throws -> T {
        let namespace = try Syscall.open(path: path, flags: O_RDONLY)
        let outcome = Outcome<T>()
        let descriptor = namespace.rawValue
        try entering.withLock { _ in
            try OSThread(name: "xtcp-setns") {
                outcome.result = Result {
                    try Syscall.enterNetworkNamespace(descriptor: descriptor, subject: path)
                    return try body()
                }
            }.join()
        }
        _ = namespace.close()  // open until the thread has entered it
        return try outcome.result!.get()
    }
}

/// What the namespace thread returned: written by it, read after the join.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
