#if canImport(Glibc)
import Glibc
#endif

/// Writing to a descriptor that can block for as long as its reader likes
/// (a pipe, a FIFO, a terminal, a stream socket), without waiting past a
/// deadline: the descriptor is non-blocking (or the call is, for a
/// socket), and between writes poll(2) waits for room until the deadline.
public enum BoundedWrite {
    public enum Method: Sendable {
        /// write(2) on a non-blocking descriptor of xtcp's own.
        case write
        /// send(2) with MSG_DONTWAIT, for a socket shared with others (a
        /// journal's stdout stream), whose flags xtcp must not change.
        case send
    }

    /// Writes as much of `bytes` as goes before `deadline`; the count
    /// written (all of them, or fewer when the deadline came first). A
    /// reader that went away is EPIPE, thrown.
    public static func write(descriptor: Int32, bytes: UnsafeRawBufferPointer, method: Method,
                             until deadline: ContinuousClock.Instant) throws(SystemError) -> Int {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let result = switch method {
            case .write: try Syscall.write(descriptor: descriptor, bytes: rest)
            case .send: try Syscall.send(descriptor: descriptor, bytes: rest, flags: Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if case .processed(let count) = result {
                offset += count
                continue
            }
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            var waiting = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
            // Rounded up, so that a wait short of a millisecond is not a spin.
            let milliseconds = Int32(min((remaining.inSeconds * 1000).rounded(.up), Double(Int32.max)))
            _ = try Syscall.poll(&waiting, milliseconds: milliseconds)
        }
        return offset
    }
}
