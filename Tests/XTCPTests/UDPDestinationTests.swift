import Glibc
import RecordFmt
import Testing
import TestSupport

@Suite("-dest udp: one envelope per datagram")
struct UDPDestinationTests {
    @Test("every envelope arrives as one datagram that decodes whole")
    func datagrams() throws {
        // A receiver on the host's loopback, read after xtcp is done: the
        // datagrams wait in its (enlarged) receive buffer.
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)

        // Small envelopes, so that even a quiet host's sockets make several.
        let run = try Shell.capture([Paths.xtcp, "-dest", "udp:127.0.0.1:\(port)", "-marshal", "protobufList",
                                     "-maxLoops", "2", "-frequency", "200ms", "-envelopeFlushRows", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let totals = try #require(XTCPSummary.final(of: run.stderr))
        #expect(totals["envelopes"] >= 2 && totals["delivered"] == totals["envelopes"], "\(run.stderr)")

        var datagrams = 0
        var records = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard n > 0 else { break }
            datagrams += 1
            let decoded = ProtobufList.records(Array(buffer[..<n]))
            #expect(decoded != nil, "datagram \(datagrams) is one whole protobufList frame")
            records += decoded?.count ?? 0
        }
        #expect(UInt64(datagrams) == totals["envelopes"])
        #expect(UInt64(records) == totals["records"])
    }
}
