import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The system calls xtcp makes, by the name of the C function: what a
/// `SystemError` says failed. An enum, so that code can ask which call
/// failed without reading a message.
public enum SystemCall: String, Sendable, CaseIterable {
    case open, close, read, pread, write, stat, opendir, ftruncate
    case socket, bind, listen, accept, connect, send, recv, recvmsg, recvmmsg
    case setsockopt, getsockopt, getsockname, fcntl, pipe, poll, ioctl
    case epollCreate = "epoll_create1", epollCtl = "epoll_ctl", epollWait = "epoll_wait"
    case inotifyInit = "inotify_init1", inotifyAddWatch = "inotify_add_watch"
    case setns, nanosleep, sigtimedwait
    case pthreadCreate = "pthread_create"
    case netlinkOpen = "mnl_socket_open2", netlinkBind = "mnl_socket_bind"
    case ioUringSetup = "io_uring_queue_init", ioUringSubmit = "io_uring_submit", ioUringWait = "io_uring_submit_and_wait_timeout"
    case ioUringRegisterBuffers = "io_uring_register_buf_ring"
    /// Not a call: a receive's completion reaped from a ring, which a test
    /// can turn into a failure (`SyscallSeam`).
    case ioUringReceive = "io_uring receive"
}

/// A system call that failed, and with which errno, captured at once.
/// `subject` says on what (a path, a socket option), for the message.
/// The one error type of every system call xtcp makes.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: SystemCall
    public var errno: Int32
    public var subject: String?

    public init(_ call: SystemCall, errno: Int32, subject: String? = nil) {
        self.call = call
        self.errno = errno
        self.subject = subject
    }

    /// `open(/run/netns/web): No such file or directory`.
    public var description: String {
        "\(call.rawValue)\(subject.map { "(\($0))" } ?? ""): \(Errno.describe(errno))"
    }

    /// A namespace file that is no longer there: a bind mount deleted
    /// (`ip netns del`) or a process that ended since it was found; or
    /// caught between `ip netns add`/`del` creating or removing the file and
    /// mounting or unmounting it (setns on a plain file: EINVAL).
    public var namespaceVanished: Bool {
        (call == .open && (errno == ENOENT || errno == ESRCH)) || (call == .setns && errno == EINVAL)
    }
}

/// errno values as text.
public enum Errno {
    /// strerror's words: "No buffer space available".
    public static func describe(_ errno: Int32) -> String { String(cString: strerror(errno)) }

    /// The symbolic name (`ENOBUFS`), a bounded label value; `errno_N` when
    /// glibc does not know it.
    public static func name(_ errno: Int32) -> String {
        xtcp_platform_errno_name(errno).map { String(cString: $0) } ?? "errno_\(errno)"
    }
}
