import Netlink

/// Opens the socket a dump is received on, in the dump's namespace: the
/// kernel's sock_diag (`KernelSockets`), or in the in-process tests a fake
/// kernel's end of a socket pair.
protocol DumpSocketOpener: Sendable {
    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket
}

/// sock_diag sockets in the namespace: the daemon's own, or one entered by
/// a short-lived thread (`NetworkNamespace`), with a receive timeout when
/// the receive path waits in recvmsg.
struct KernelSockets: DumpSocketOpener {
    /// SO_RCVTIMEO for blocking receives (the recvmsg path's `-nltimeout`);
    /// nil for sockets read through a ring, which time out there.
    var receiveTimeout: Duration?

    init(receiveTimeout: Duration? = nil) {
        self.receiveTimeout = receiveTimeout
    }

    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket {
        let socket = try namespace.path.map { try NetlinkSocket.inNamespace(path: $0) } ?? NetlinkSocket()
        if let receiveTimeout { try socket.setReceiveTimeout(receiveTimeout) }
        return socket
    }
}
