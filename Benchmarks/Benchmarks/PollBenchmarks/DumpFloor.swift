import IOUring
import Netlink
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's floor for one poll: xtcp's dump requests (both families,
/// the same attributes), every reply datagram received and discarded, on
/// one socket and one thread. Only the message headers are walked, to find
/// NLMSG_DONE and count the sockets.
final class DumpFloor {
    /// How datagrams come through a ring: one receive submitted and reaped
    /// at a time (a recv(2) with extra steps), or one multishot receive per
    /// dump into provided buffers.
    enum Ring { case perDatagram, multishot }

    let socket: NetlinkSocket
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
    var sequence: UInt32 = 1
    let ring: IOUring?
    let provided: ProvidedBuffers?
    let mode: Ring?
    private var armed = false
    /// Multishot completions reaped but not yet read.
    private var waiting: [IOUring.Completion] = []

    /// A compiled `-filter` the requests carry, or none.
    let bytecode: [UInt8]?

    init(ring mode: Ring? = nil, bytecode: [UInt8]? = nil) throws {
        self.bytecode = bytecode
        socket = try NetlinkSocket()
        self.mode = mode
        ring = mode == nil ? nil : try IOUring(entries: 8)
        provided = mode == .multishot ? try ring!.provideBuffers(group: 1, count: 16, size: 32 * 1024) : nil
    }
    deinit { buffer.deallocate() }

    /// Dumps both families; returns the sockets seen.
    func dump() throws -> Int {
        var sockets = 0
        for family in [InetDiagRequest.Family.inet, .inet6] {
            sequence &+= 1
            var request = InetDiagRequest(family: family, sequence: sequence)
            request.bytecode = bytecode
            try socket.send(request.bytes)
            var done = false
            while !done {
                try receive { datagram in
                    var offset = 0
                    // Safe: each header is read within the datagram.
                    while offset + 16 <= datagram.count {
                        let length = Int(datagram.load(fromByteOffset: offset, as: UInt32.self))
                        let type = datagram.load(fromByteOffset: offset + 4, as: UInt16.self)
                        if type == 3 { done = true; break }  // NLMSG_DONE
                        if type == 2 { throw FloorError.netlinkError }  // NLMSG_ERROR
                        sockets += 1
                        guard length >= 16 else { throw FloorError.netlinkError }
                        offset += (length + 3) & ~3
                    }
                }
            }
            try disarm()
        }
        return sockets
    }

    /// Hands the next datagram to `body`.
    private func receive(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let ring else {
            guard case .bytes(let count) = try socket.receive(into: buffer) else { throw FloorError.stalled }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        guard let provided else {
            _ = ring.queueReceive(descriptor: socket.fileDescriptor, into: buffer, userData: 1)
            try ring.submit(waitingFor: 1)
            var result: Int32 = -1
            ring.reap { result = $0.result }
            guard result > 0 else { throw FloorError.stalled }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(result)]))
        }
        while waiting.isEmpty {
            if !armed {
                _ = ring.queueMultishotReceive(descriptor: socket.fileDescriptor, buffers: provided, userData: 1)
                armed = true
            }
            try ring.submit(waitingFor: 1)
            ring.reap { waiting.append($0) }
        }
        let completion = waiting.removeFirst()
        armed = completion.hasMore
        guard completion.result > 0, let id = completion.bufferID else {
            if completion.result == -ENOBUFS { return }  // out of buffers: armed again at the next call
            throw FloorError.stalled
        }
        defer { provided.recycle(id) }
        try body(provided.contents(of: id, byteCount: Int(completion.result)))
    }

    /// After NLMSG_DONE: cancels a multishot receive still armed and waits
    /// for its end, so that it neither takes the next dump's first datagram
    /// nor leaves completions behind.
    private func disarm() throws {
        guard let ring, provided != nil else { return }
        for completion in waiting { if let id = completion.bufferID { provided!.recycle(id) } }
        if let last = waiting.last { armed = last.hasMore }
        waiting.removeAll()
        guard armed else { return }
        _ = ring.queueCancel(userData: 1)
        while armed {
            try ring.submit(waitingFor: 1)
            ring.reap { if $0.userData == 1 && !$0.hasMore { armed = false } }
        }
    }

    enum FloorError: Error { case stalled, netlinkError }
}
