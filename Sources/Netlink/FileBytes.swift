#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file with plain syscalls (the Netlink module stays free of
/// Foundation).
public enum FileBytes {
    public struct ReadError: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
    }

    public static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(path: path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
