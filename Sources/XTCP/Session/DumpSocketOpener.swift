import Netlink

/// Opens the socket a dump is received on, in the dump's namespace: the
/// kernel's sock_diag (`KernelSockets`), or in the in-process tests a fake
/// kernel's end of a socket pair.
protocol DumpSocketOpener: Sendable {
    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket
}

/// sock_diag sockets in the namespace: the daemon's own, or one entered by
/// a short-lived thread (`NetworkNamespace`).
struct KernelSockets: DumpSocketOpener {
    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket {
        try namespace.path.map { try NetlinkSocket.inNamespace(path: $0) } ?? NetlinkSocket()
    }
}
