import IOUring
import Netlink

/// The kernel's floor for one poll: xtcp's dump requests (both families,
/// the same attributes), every reply datagram received into one buffer and
/// discarded, on one socket and one thread. Only the message headers are
/// walked, to find NLMSG_DONE and count the sockets.
final class DumpFloor {
    let socket: NetlinkSocket
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
    var sequence: UInt32 = 1
    /// With a ring, each datagram is received through io_uring (one receive
    /// submitted and reaped at a time): the receive loop alone, io_uring's way.
    let ring: IOUring?

    init(ring useRing: Bool = false) throws {
        socket = try NetlinkSocket()
        ring = useRing ? try IOUring(entries: 8) : nil
    }
    deinit { buffer.deallocate() }

    /// Dumps both families; returns the sockets seen.
    func dump() throws -> Int {
        var sockets = 0
        for family in [InetDiagRequest.Family.inet, .inet6] {
            sequence &+= 1
            try socket.send(InetDiagRequest(family: family, sequence: sequence).bytes)
            var done = false
            while !done {
                let count = try receive()
                var offset = 0
                // Safe: each header is read within the `count` bytes received.
                while offset + 16 <= count {
                    let length = Int(buffer.load(fromByteOffset: offset, as: UInt32.self))
                    let type = buffer.load(fromByteOffset: offset + 4, as: UInt16.self)
                    if type == 3 { done = true; break }  // NLMSG_DONE
                    if type == 2 { throw FloorError.netlinkError }  // NLMSG_ERROR
                    sockets += 1
                    guard length >= 16 else { throw FloorError.netlinkError }
                    offset += (length + 3) & ~3
                }
            }
        }
        return sockets
    }

    private func receive() throws -> Int {
        guard let ring else {
            guard case .bytes(let count) = try socket.receive(into: buffer) else { throw FloorError.stalled }
            return count
        }
        _ = ring.queueReceive(descriptor: socket.fileDescriptor, into: buffer, userData: 1)
        try ring.submit(waitingFor: 1)
        var result: Int32 = -1
        ring.reap { result = $0.result }
        guard result > 0 else { throw FloorError.stalled }
        return Int(result)
    }

    enum FloorError: Error { case stalled, netlinkError }
}
