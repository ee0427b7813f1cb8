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
            var error: SystemError?
        }
        let outcome = Outcome()
        let body: () -> Void = {
            guard xtcp_enter_network_namespace(namespace) == 0 else {
                outcome.error = SystemError(call: "setns(\(path))", errno: errno)
                return
            }
            do { outcome.handle = try NetlinkSocket.open(receiveBufferBytes: receiveBufferBytes) } catch let e as SystemError {
                outcome.error = e
            } catch {}
        }
        try runOnFreshThread(body)
        if let error = outcome.error { throw error }
        return NetlinkSocket(adopting: outcome.handle!)
    }

    /// Runs `body` on a new pthread and waits for it to end.
    static func runOnFreshThread(_ body: @escaping () -> Void) throws {
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard started == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError(call: "pthread_create", errno: started)
        }
        pthread_join(thread, nil)
    }
}
