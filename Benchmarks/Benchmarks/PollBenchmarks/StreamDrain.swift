import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A reader for the stream destinations' benchmarks: listens on
/// 127.0.0.1 (a port of its choosing) or an abstract unix socket, and
/// reads every connection into nothing on threads of its own, so that the
/// poll's cost is xtcp's writing, not a slow peer.
final class StreamDrain: @unchecked Sendable {  // `listener` and `port` are set once in init
    let listener: Int32
    let port: UInt16

    init(tcp: Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        // Safe: `address` is a sockaddr_in of `length` bytes for both calls.
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        port = UInt16(bigEndian: address.sin_port)
        guard bound, listen(listener, 16) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        start()
    }

    /// `@NAME`: an abstract socket, nothing left on disk.
    init(unix path: String) throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(path.utf8.dropFirst())
        // Safe: the name is shorter than sun_path (108 bytes); byte 0 stays 0 (abstract).
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in name.enumerated() { raw[offset + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + name.count)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 }
        }
        port = 0
        guard bound, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        start()
    }

    private func start() {
        let listener = listener
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread {
                    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
                    defer { buffer.deallocate(); close(connection) }
                    while read(connection, buffer, 1 << 20) > 0 {}
                }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
