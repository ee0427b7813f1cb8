import Netlink

/// The kernel's floor for one poll: xtcp's dump requests (both families,
/// the same attributes), every reply datagram received into one buffer and
/// discarded, on one socket and one thread. Only the message headers are
/// walked, to find NLMSG_DONE and count the sockets.
final class DumpFloor {
    let socket: NetlinkSocket
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
    var sequence: UInt32 = 1

    init() throws { socket = try NetlinkSocket() }
    deinit { buffer.deallocate() }

    /// Dumps both families; returns the sockets seen.
    func dump() throws -> Int {
        var sockets = 0
        for family in [InetDiagRequest.Family.inet, .inet6] {
            sequence &+= 1
            try socket.send(InetDiagRequest(family: family, sequence: sequence).bytes)
            var done = false
            while !done {
                guard case .bytes(let count) = try socket.receive(into: buffer) else { throw FloorError.stalled }
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

    enum FloorError: Error { case stalled, netlinkError }
}
