import CKernelABI
import Platform
#if canImport(Glibc)
import Glibc
#endif

extension NetlinkSocket {
    /// The sock_diag multicast groups of TCP sockets the kernel destroys
    /// (SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY): each message is
    /// the socket's inet_diag_msg with INET_DIAG_INFO (its last tcp_info).
    public static let tcpDestroyGroups: [UInt32] = [UInt32(XTCP_SKNLGRP_INET_TCP_DESTROY), UInt32(XTCP_SKNLGRP_INET6_TCP_DESTROY)]

    /// The rtnetlink groups of link and route changes (RTMGRP_LINK,
    /// RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_ROUTE).
    public static let linkAndRouteGroups: UInt32 = 0x1 | 0x40 | 0x400

    /// A NETLINK_ROUTE socket bound to the rtnetlink multicast `groups`, not
    /// waiting in receives: the kernel's link and route messages, read when
    /// convenient. Bound by libmnl (a port id of its own: the kernel skips
    /// unbound sockets when it broadcasts).
    public static func routeEvents(groups: UInt32) throws(SystemError) -> NetlinkSocket {
        NetlinkSocket(mnl: try open(protocol: 0, named: "NETLINK_ROUTE", flags: Int32(SOCK_NONBLOCK.rawValue), groups: groups))
    }

    /// Joins multicast group `group` (NETLINK_ADD_MEMBERSHIP).
    public func join(group: UInt32) throws(SystemError) {
        try Syscall.setsockopt(descriptor: fileDescriptor, level: Int32(XTCP_SOL_NETLINK), option: Int32(XTCP_NETLINK_ADD_MEMBERSHIP),
                               value: group, name: "NETLINK_ADD_MEMBERSHIP \(group)")
    }

    /// Receives without waiting (O_NONBLOCK), for a socket read when epoll
    /// says so.
    public func setNonBlocking() throws(SystemError) {
        let flags = try Syscall.fcntl(descriptor: fileDescriptor, command: F_GETFL)
        _ = try Syscall.fcntl(descriptor: fileDescriptor, command: F_SETFL, value: flags | O_NONBLOCK)
    }

    /// Sets the receive buffer to `bytes`: with SO_RCVBUFFORCE (CAP_NET_ADMIN)
    /// past net.core.rmem_max, else with SO_RCVBUF up to it. Returns the
    /// size the kernel granted (it doubles the request for its overhead).
    @discardableResult
    public func setReceiveBuffer(bytes: Int32) -> Int32 {
        do {
            try Syscall.setsockopt(descriptor: fileDescriptor, level: SOL_SOCKET, option: SO_RCVBUFFORCE, value: bytes, name: "SO_RCVBUFFORCE")
        } catch {
            try? Syscall.setsockopt(descriptor: fileDescriptor, level: SOL_SOCKET, option: SO_RCVBUF, value: bytes, name: "SO_RCVBUF")
        }
        var granted: Int32 = 0
        _ = try? withUnsafeMutableBytes(of: &granted) { try Syscall.getsockopt(descriptor: fileDescriptor, level: SOL_SOCKET, option: SO_RCVBUF, into: $0, name: "SO_RCVBUF") }
        return granted
    }

    /// Messages lost to a full receive queue since the socket was opened
    /// (SO_MEMINFO's SK_MEMINFO_DROPS), or nil if the kernel does not say.
    public var droppedMessages: UInt32? {
        var meminfo = [UInt32](repeating: 0, count: Int(XTCP_SK_MEMINFO_VARS))
        let read = try? meminfo.withUnsafeMutableBytes {
            try Syscall.getsockopt(descriptor: fileDescriptor, level: SOL_SOCKET, option: Int32(XTCP_SO_MEMINFO), into: $0, name: "SO_MEMINFO")
        }
        guard let read, read >= (Int(XTCP_SK_MEMINFO_DROPS) + 1) * 4 else { return nil }
        return meminfo[Int(XTCP_SK_MEMINFO_DROPS)]
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
                             lengths: UnsafeMutableBufferPointer<UInt32>, truncated: UnsafeMutableBufferPointer<UInt8>) throws(SystemError) -> Batch {
        do {
            switch try Syscall.receiveDatagrams(descriptor: fileDescriptor, into: buffer, slot: slot, lengths: lengths, truncated: truncated) {
            case .processed(let count): return count > 0 ? .datagrams(count) : .empty
            case .wouldBlock: return .empty
            }
        } catch where error.errno == ENOBUFS {
            return .overflowed
        }
    }
}
