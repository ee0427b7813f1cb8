import CKernelABI
#if canImport(Glibc)
import Glibc
#endif

extension NetlinkSocket {
    /// The sock_diag multicast groups of TCP sockets the kernel destroys
    /// (SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY): each message is
    /// the socket's inet_diag_msg with INET_DIAG_INFO (its last tcp_info).
    public static let tcpDestroyGroups: [UInt32] = [UInt32(XTCP_SKNLGRP_INET_TCP_DESTROY), UInt32(XTCP_SKNLGRP_INET6_TCP_DESTROY)]

    /// Joins multicast group `group` (NETLINK_ADD_MEMBERSHIP).
    public func join(group: UInt32) throws {
        var value = group
        guard setsockopt(fileDescriptor, Int32(XTCP_SOL_NETLINK), Int32(XTCP_NETLINK_ADD_MEMBERSHIP), &value,
                         socklen_t(MemoryLayout<UInt32>.size)) == 0 else {
            throw SystemError(call: "setsockopt(NETLINK_ADD_MEMBERSHIP \(group))", errno: errno)
        }
    }

    /// Receives without waiting (O_NONBLOCK), for a socket read when epoll
    /// says so.
    public func setNonBlocking() throws {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw SystemError(call: "fcntl(O_NONBLOCK)", errno: errno)
        }
    }

    /// Sets the receive buffer to `bytes`: with SO_RCVBUFFORCE (CAP_NET_ADMIN)
    /// past net.core.rmem_max, else with SO_RCVBUF up to it. Returns the
    /// size the kernel granted (it doubles the request for its overhead).
    @discardableResult
    public func setReceiveBuffer(bytes: Int32) -> Int32 {
        var value = bytes
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVBUFFORCE, &value, size) != 0 {
            _ = setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVBUF, &value, size)
        }
        var granted: Int32 = 0
        var length = size
        _ = getsockopt(fileDescriptor, SOL_SOCKET, SO_RCVBUF, &granted, &length)
        return granted
    }

    /// Messages lost to a full receive queue since the socket was opened
    /// (SO_MEMINFO's drop count), or nil if the kernel does not say.
    public var droppedMessages: UInt32? {
        var drops: UInt32 = 0
        return xtcp_socket_drops(fileDescriptor, &drops) == 0 ? drops : nil
    }

    /// What one batch receive got.
    public enum Batch: Equatable {
        /// This many datagrams, in the slots from the first.
        case datagrams(Int)
        /// Nothing waiting.
        case empty
        /// The receive queue overflowed (ENOBUFS) and messages were lost;
        /// the socket goes on.
        case overflowed
    }

    /// Receives up to `lengths.count` datagrams into consecutive
    /// `slot`-byte slots of `buffer`, without waiting.
    public func receiveBatch(into buffer: UnsafeMutableRawBufferPointer, slot: Int,
                             lengths: UnsafeMutableBufferPointer<UInt32>, truncated: UnsafeMutableBufferPointer<UInt8>) throws -> Batch {
        precondition(slot > 0 && buffer.count >= slot * lengths.count && truncated.count >= lengths.count)
        let received = xtcp_receive_datagrams(fileDescriptor, buffer.baseAddress, UInt32(slot), UInt32(lengths.count),
                                              lengths.baseAddress, truncated.baseAddress)
        if received > 0 { return .datagrams(Int(received)) }
        if received == 0 { return .empty }
        switch errno {
        case EAGAIN: return .empty
        case ENOBUFS: return .overflowed
        default: throw SystemError(call: "recvmmsg", errno: errno)
        }
    }
}
