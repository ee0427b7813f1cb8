#if canImport(Glibc)
import Glibc
#endif

/// systemd's service notification (sd_notify(3)) without libsystemd: one
/// datagram to the AF_UNIX socket `NOTIFY_SOCKET` names (a path, or an
/// abstract name written with a leading "@"), of `KEY=value` lines. Set by
/// systemd for `Type=notify`; nil elsewhere, and nothing is sent.
public final class SystemdNotify {
    private let socket: FileDescriptor
    private let address: sockaddr_un
    private let length: socklen_t
    /// `WatchdogSec=`: how often systemd wants WATCHDOG=1 (WATCHDOG_USEC,
    /// when WATCHDOG_PID is this process or unset); nil when it wants none.
    public let watchdog: Duration?

    public init?(environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        guard let name = environment("NOTIFY_SOCKET"), !name.isEmpty,
              name.hasPrefix("/") || name.hasPrefix("@"), name.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path),
              let socket = try? Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue)) else { return nil }
        self.socket = socket
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
            if bytes[0] == UInt8(ascii: "@") { path[0] = 0 }  // an abstract socket
        }
        self.address = address
        // An abstract name's length is exact (no terminating NUL counts).
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == UInt8(ascii: "@") ? 0 : 1))
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
        var address = address
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            // Safe: sockaddr_un begins as every sockaddr does, and `length` is within it.
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                bytes.withUnsafeBytes { try? Syscall.sendTo(descriptor: socket.rawValue, bytes: $0, address: target, length: length) }
            }
        }
        if case .processed(let count) = sent { return count == bytes.count }
        return false
    }
}
