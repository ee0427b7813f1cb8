import CKernelABI
import CMnl
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A NETLINK_SOCK_DIAG socket, opened and bound by libmnl; its I/O goes
/// through Platform's `Syscall` (one syscall layer, and the seam tests
/// inject faults through). Owned: closed in deinit. Used by one thread at a
/// time (a netlinker owns its sockets while it dumps).
///
/// A netlink socket belongs to the network namespace of the thread that
/// created it; whoever needs another namespace creates the socket from a
/// thread that entered it (`inNamespace`).
public final class NetlinkSocket: @unchecked Sendable {
    /// The result of one receive.
    public enum Received: Equatable {
        case bytes(Int)
        case wouldBlock
    }

    private enum Handle {
        case mnl(OpaquePointer)
        /// Any datagram socket that speaks netlink's framing: a test's fake
        /// kernel (one end of a socketpair).
        case descriptor(Int32)
    }

    private let handle: Handle
    public let fileDescriptor: Int32

    public convenience init(receiveBufferBytes: Int32? = nil) throws(SystemError) {
        self.init(mnl: try Self.open(receiveBufferBytes: receiveBufferBytes))
    }

    /// Takes ownership of an open, bound libmnl socket.
    init(mnl handle: OpaquePointer) {
        self.handle = .mnl(handle)
        fileDescriptor = mnl_socket_get_fd(handle)
    }

    /// Takes ownership of `descriptor`, a datagram socket whose peer answers
    /// as the kernel would: how the fake kernel of the in-process tests
    /// stands in for sock_diag.
    public init(adopting descriptor: consuming FileDescriptor) {
        let raw = descriptor.release()
        handle = .descriptor(raw)
        fileDescriptor = raw
    }

    static func open(receiveBufferBytes: Int32?) throws(SystemError) -> OpaquePointer {
        try open(protocol: Int32(XTCP_NETLINK_SOCK_DIAG), named: "NETLINK_SOCK_DIAG", receiveBufferBytes: receiveBufferBytes)
    }

    /// A libmnl socket of netlink `protocol`, bound to its own port id and
    /// to the multicast `groups` (a bitmask; 0: none).
    static func open(protocol: Int32, named name: String, flags: Int32 = 0, groups: UInt32 = 0,
                     receiveBufferBytes: Int32? = nil) throws(SystemError) -> OpaquePointer {
        guard let handle = mnl_socket_open2(`protocol`, Int32(SOCK_CLOEXEC.rawValue) | flags) else {
            throw SystemError(.netlinkOpen, errno: errno, subject: name)
        }
        if let bytes = receiveBufferBytes {
            try? Syscall.setsockopt(descriptor: mnl_socket_get_fd(handle), level: SOL_SOCKET, option: SO_RCVBUF, value: bytes, name: "SO_RCVBUF")
        }
        guard mnl_socket_bind(handle, groups, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let e = errno
            mnl_socket_close(handle)
            throw SystemError(.netlinkBind, errno: e)
        }
        return handle
    }

    deinit {
        switch handle {
        case .mnl(let handle): mnl_socket_close(handle)
        case .descriptor(let fd): Syscall.close(descriptor: fd)
        }
    }

    /// Sends one request, whole.
    public func send(_ bytes: [UInt8]) throws(SystemError) {
        let result = try Syscall.send(descriptor: fileDescriptor, bytes: bytes, flags: 0)
        guard case .processed(let sent) = result, sent == bytes.count else {
            throw SystemError(.send, errno: EAGAIN, subject: "a request of \(bytes.count) bytes")
        }
    }

    /// Makes a receive that waits longer than `timeout` return `.wouldBlock`
    /// (SO_RCVTIMEO): how a dump that stalls is noticed.
    public func setReceiveTimeout(_ timeout: Duration) throws(SystemError) {
        try Syscall.setTimeout(descriptor: fileDescriptor, option: SO_RCVTIMEO, timeout)
    }

    /// Receives one datagram into `buffer`. Nothing within the receive
    /// timeout is `.wouldBlock`; a datagram longer than the buffer is an
    /// error (ENOSPC, as libmnl says it: its end is lost); ENOBUFS (the
    /// socket overflowed) and the rest are thrown.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Received {
        switch try Syscall.receiveDatagram(descriptor: fileDescriptor, into: buffer) {
        case .wouldBlock: return .wouldBlock
        case .processed(let datagram):
            if datagram.truncated { throw SystemError(.recvmsg, errno: ENOSPC, subject: "a datagram longer than \(buffer.count) bytes") }
            return .bytes(datagram.count)
        }
    }

    /// A sock_diag socket in the network namespace named by `path`
    /// (`/run/netns/NAME`, `/proc/PID/ns/net`), made by a short-lived
    /// thread that entered it (`NetworkNamespace`).
    public static func inNamespace(path: String, receiveBufferBytes: Int32? = nil) throws -> NetlinkSocket {
        NetlinkSocket(mnl: try NetworkNamespace.run(in: path) { try NetlinkSocket.open(receiveBufferBytes: receiveBufferBytes) })
    }
}
