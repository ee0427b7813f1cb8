import Glibc
import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("The netlink socket's receive buffer, and a request the kernel refuses (live kernel)", .serialized)
struct ReceiveBufferTests {
    /// A sock_diag dump is flow-controlled: the kernel makes the next
    /// datagram only when the reader has drained the queue, so even the
    /// smallest SO_RCVBUF the kernel allows never overflows (ENOBUFS) with
    /// many sockets; it just takes more receives.
    @Test("the smallest SO_RCVBUF, 10,001 sockets: the dump completes with every socket and no ENOBUFS")
    func smallestReceiveBuffer() throws {
        try withSocketFarm("loopback_farm.py", ["5000", "127.0.0.1", "900"]) { ns, farm in
            let expected = try SocketKey.ssKeys(in: ns).count
            #expect(expected == 10_001)

            let socket = try NetlinkSocket.inNamespace(path: "/run/netns/\(ns.name)", receiveBufferBytes: 1)
            var granted: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(socket.fileDescriptor, SOL_SOCKET, SO_RCVBUF, &granted, &length) == 0)
            #expect(granted < 8192, "the kernel's minimum receive buffer: \(granted) bytes")

            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
            defer { buffer.deallocate() }
            var decoder = DumpDecoder(attributes: .defaultSet)
            var record = FlatRecord()
            var sockets = 0, datagrams = 0
            let outcome = try socket.dump(InetDiagRequest(family: .inet, attributes: .defaultSet, sequence: 3), buffer: buffer,
                                          decoder: &decoder, record: &record, onDatagram: { _ in datagrams += 1 }) { _ in sockets += 1 }
            #expect(outcome == .done && sockets == expected && decoder.stats.problems == 0,
                    "\(outcome): \(sockets) of \(expected) sockets in \(datagrams) datagrams, \(decoder.stats)")
        }
    }

    /// A filter program the kernel's audit rejects: the reply is NLMSG_ERROR
    /// with EINVAL, which the dump ends on and the decoder counts.
    @Test("a request the kernel refuses (a bad filter program): the dump ends failed with EINVAL, counted, nothing decoded")
    func refusedRequest() throws {
        let socket = try NetlinkSocket()
        var request = InetDiagRequest(family: .inet, attributes: .defaultSet, sequence: 5)
        request.bytecode = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]  // op 255, jumps past the end
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
        defer { buffer.deallocate() }
        var decoder = DumpDecoder(attributes: .defaultSet)
        var record = FlatRecord()
        var sockets = 0
        let outcome = try socket.dump(request, buffer: buffer, decoder: &decoder, record: &record) { _ in sockets += 1 }
        #expect(outcome == .failed(errno: EINVAL) && sockets == 0 && decoder.stats.netlinkErrors == 1, "\(outcome) \(decoder.stats)")
    }
}
