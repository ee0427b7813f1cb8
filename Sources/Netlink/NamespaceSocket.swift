import CKernelABI
#if canImport(Glibc)
import Glibc
#endif

extension NetlinkSocket {
    /// A sock_diag socket in the network namespace named by `path`
    /// (`/run/netns/NAME`, `/proc/PID/ns/net`). A netlink socket belongs to
    /// the namespace of the thread that creates it, so a short-lived thread
    /// enters the namespace, creates the socket and ends: it never returns
    /// to the pool of threads that could run other work, so no thread is
    /// ever left in the wrong namespace.
    public static func inNamespace(path: String, receiveBufferBytes: Int32? = nil) throws -> NetlinkSocket {
        let namespace = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard namespace >= 0 else { throw SystemError(call: "open(\(path))", errno: errno) }
        defer { Glibc.close(namespace) }

        final class Outcome: @unchecked Sendable {  // written by the thread, read after join
            var handle: OpaquePointer?
            var error: (any Error)?
        }
        let outcome = Outcome()
        let body: () -> Void = {
            guard xtcp_enter_network_namespace(namespace) == 0 else {
                outcome.error = SystemError(call: "setns(\(path))", errno: errno)
                return
            }
            do { outcome.handle = try NetlinkSocket.open(receiveBufferBytes: receiveBufferBytes) } catch { outcome.error = error }
        }
        try OSThread(name: "xtcp-setns", body).join()
        if let error = outcome.error { throw error }
        return NetlinkSocket(adopting: outcome.handle!)
    }
}
