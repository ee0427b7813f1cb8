import Synchronization

/// A fault a test makes a system call meet: what the kernel could do, done
/// on demand (EINTR, EAGAIN, ENOBUFS, a short read or write).
public enum InjectedFault: Sendable, Equatable {
    /// The call fails with this errno without being made.
    case fail(errno: Int32)
    /// A read or write moves at most this many bytes.
    case shortTransfer(Int)
}

/// What a test installs under the system calls (`SyscallSeam.install`):
/// asked before each call that goes through `Syscall`.
public protocol SyscallInterposer: AnyObject, Sendable {
    /// The fault `call` on `descriptor` (-1 for calls without one) meets,
    /// or nil to let it run as it is.
    func fault(for call: SystemCall, descriptor: Int32) -> InjectedFault?
}

/// The seam under every system call of `Syscall`: empty in production, where
/// it costs one relaxed atomic load per call; a test installs an interposer
/// to make calls fail or come up short. One per process, so tests that use
/// it run serially (the suite does).
public enum SyscallSeam {
    private static let active = Atomic<Bool>(false)
    private static let interposer = Mutex<(any SyscallInterposer)?>(nil)

    /// Puts `interposer` under every call until `remove`.
    public static func install(_ interposer: any SyscallInterposer) {
        self.interposer.withLock { $0 = interposer }
        active.store(true, ordering: .releasing)
    }

    public static func remove() {
        active.store(false, ordering: .releasing)
        interposer.withLock { $0 = nil }
    }

    /// Runs `body` with `interposer` installed.
    public static func with<R>(_ interposer: any SyscallInterposer, _ body: () throws -> R) rethrows -> R {
        install(interposer)
        defer { remove() }
        return try body()
    }

    /// The fault an installed interposer makes `call` meet; nil (at once,
    /// without a lock) when none is installed.
    @inline(__always)
    public static func fault(_ call: SystemCall, _ descriptor: Int32) -> InjectedFault? {
        guard _slowPath(active.load(ordering: .relaxed)) else { return nil }
        return interposer.withLock { $0 }?.fault(for: call, descriptor: descriptor)
    }
}
