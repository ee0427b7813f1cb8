#if canImport(Glibc)
import Glibc
#endif

/// systemd's service notification (sd_notify(3)) without libsystemd: one
/// datagram to the AF_UNIX socket `NOTIFY_SOCKET` names (a path, or an
/// abstract name written with a leading "@"), of `KEY=value` lines. Set by
/// systemd for `Type=notify`; nil elsewhere, and nothing is sent.
public final class SystemdNotify {
    private let socket: FileDescriptor
    private let address: UnixSocketAddress
    /// `WatchdogSec=`: how often systemd wants WATCHDOG=1 (WATCHDOG_USEC,
    /// when WATCHDOG_PID is this process or unset); nil when it wants none.
    public let watchdog: Duration?

    public init?(environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        guard let name = environment("NOTIFY_SOCKET"), name.hasPrefix("/") || name.hasPrefix("@"), let address = UnixSocketAddress(name),
              let socket = try? Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue)) else { return nil }
        self.socket = socket
        self.address = address
        let pid = environment("WATCHDOG_PID").flatMap { Int32($0) }
        if let usec = environment("WATCHDOG_USEC").flatMap({ Int64($0) }), usec > 0, pid == nil || pid == getpid() {
            watchdog = .microseconds(usec)
        } else {
            watchdog = nil
        }
    }

    /// Sends `state` ("READY=1", "WATCHDOG=1", "STATUS=…"); whether it
    /// went. Best effort, as sd_notify is: a service runs on without it.
    @discardableResult
    public func send(_ state: String) -> Bool {
        let bytes = Array(state.utf8)
        let sent = bytes.withUnsafeBytes { bytes in
            try? address.withSockaddr { target, length throws(SystemError) in try Syscall.sendTo(descriptor: socket.rawValue, bytes: bytes, address: target, length: length) }
        }
        if case .processed(let count) = sent { return count == bytes.count }
        return false
    }
}
