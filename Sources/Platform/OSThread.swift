import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A named OS thread running one closure, joined by `join()`. The daemon's
/// long-lived threads (netlinkers, the HTTP listener) are these rather than
/// Dispatch or Concurrency workers: they block in system calls for a
/// living, and a thread per netlinker is what the operator sees in `top -H`
/// and counts. The short-lived thread that enters a namespace is one too.
public final class OSThread: @unchecked Sendable {  // `joined` is touched by the one thread that joins it
    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` on a new thread called `name` (at most 15 bytes shown).
    public init(name: String, _ body: @escaping () -> Void) throws(SystemError) {
        final class Start {
            let name: String
            let body: () -> Void
            init(name: String, body: @escaping () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            _ = xtcp_platform_set_thread_name(String(start.name.utf8.prefix(15))!)
            start.body()
            return nil
        }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw SystemError(.pthreadCreate, errno: result, subject: name)
        }
    }

    /// Starts `body` on a thread nobody joins: it frees itself when done.
    public static func detached(name: String, _ body: @escaping () -> Void) throws(SystemError) {
        let thread = try OSThread(name: name, body)
        thread.joined = true
        pthread_detach(thread.thread)
    }

    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}
