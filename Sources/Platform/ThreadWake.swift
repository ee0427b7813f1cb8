import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A thread that waits in sigtimedwait (the poll loop, between polls) can
/// be woken from any other thread: `wake` sends it a real-time signal it
/// waits for among its others. Signals sent while it is busy are taken at
/// its next wait, so a wake is never lost; the woken thread only looks
/// again at what it was told, so several wakes are as one.
public struct ThreadWake: Sendable {
    /// The signal; block it (`RunSignals`) and wait for it with the others.
    public static var signal: Int32 { xtcp_platform_wake_signal() }

    private let thread: UInt

    /// Wakes the calling thread.
    public static func current() -> ThreadWake { ThreadWake(thread: UInt(pthread_self())) }

    private init(thread: UInt) { self.thread = thread }

    public func wake() { _ = xtcp_platform_wake_thread(thread) }
}
