import CKernelABI
import CMnl
#if canImport(Glibc)
import Glibc
#endif

/// A NETLINK_SOCK_DIAG socket (libmnl). Owned: closing happens in deinit.
/// Used by one thread at a time (a netlinker owns its sockets).
///
/// A netlink socket belongs to the network namespace of the thread that
/// created it; whoever needs another namespace creates the socket from a
/// thread that entered it.
public final class NetlinkSocket: @unchecked Sendable {
    public struct SystemError: Error, CustomStringConvertible {
        public var call: String
        public var errno: Int32
        public var description: String { "\(call): \(String(cString: strerror(errno)))" }

        /// A namespace file that is no longer there: a bind mount deleted
        /// (`ip netns del`) or a process that ended since it was found; or
        /// caught between `ip netns add`/`del` creating or removing the
        /// file and mounting or unmounting it (setns on a plain file: EINVAL).
        public var namespaceVanished: Bool {
            (call.hasPrefix("open(") && (errno == ENOENT || errno == ESRCH)) || (call.hasPrefix("setns(") && errno == EINVAL)
        }
    }

    /// The result of one receive.
    public enum Received: Equatable {
        case bytes(Int)
        case wouldBlock
    }

    let handle: OpaquePointer

    public convenience init(receiveBufferBytes: Int32? = nil) throws {
        self.init(adopting: try Self.open(receiveBufferBytes: receiveBufferBytes))
    }

    /// Takes ownership of an open, bound libmnl socket.
    init(adopting handle: OpaquePointer) {
        self.handle = handle
    }

    static func open(receiveBufferBytes: Int32?) throws -> OpaquePointer {
        guard let handle = mnl_socket_open2(Int32(XTCP_NETLINK_SOCK_DIAG), Int32(SOCK_CLOEXEC.rawValue)) else {
            throw SystemError(call: "mnl_socket_open2(NETLINK_SOCK_DIAG)", errno: errno)
        }
        if var bytes = receiveBufferBytes {
            _ = setsockopt(mnl_socket_get_fd(handle), SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        guard mnl_socket_bind(handle, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let e = errno
            mnl_socket_close(handle)
            throw SystemError(call: "mnl_socket_bind", errno: e)
        }
        return handle
    }

    deinit { mnl_socket_close(handle) }

    public var fileDescriptor: Int32 { mnl_socket_get_fd(handle) }
    public var portID: UInt32 { mnl_socket_get_portid(handle) }

    public func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(handle, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw SystemError(call: "mnl_socket_sendto", errno: errno) }
    }

    /// Makes a receive that waits longer than `timeout` return `.wouldBlock`
    /// (SO_RCVTIMEO): how a dump that stalls is noticed.
    public func setReceiveTimeout(_ timeout: Duration) throws {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw SystemError(call: "setsockopt(SO_RCVTIMEO)", errno: errno)
        }
    }

    /// Receives one datagram into `buffer`; retries EINTR; EAGAIN (nothing
    /// within the receive timeout) comes back as `.wouldBlock`; ENOBUFS and
    /// the rest are thrown.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Received {
        while true {
            let n = mnl_socket_recvfrom(handle, buffer.baseAddress, buffer.count)
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            default: throw SystemError(call: "mnl_socket_recvfrom", errno: errno)
            }
        }
    }
}
