import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("Bad netlink input is counted and skipped, never read past")
struct MalformedInputTests {
    /// Real datagrams from a capture, to mutate.
    static let seeds: [[UInt8]] = {
        let capture = try! CaptureFile(path: "\(Paths.xtcp2Captures)/6_6_44/tcp_100_sockets_bbr.pcap")
        return capture.datagrams.map(Array.init)
    }()

    /// Decodes `bytes` from an exactly-sized heap buffer, so AddressSanitizer
    /// (swift test --sanitize=address) catches any read past its end.
    func decode(_ bytes: [UInt8]) -> (DumpProgress, DecodeStats, Int) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var decoder = DumpDecoder(attributes: .all)
        var record = FlatRecord()
        var sockets = 0
        let progress = decoder.decode(UnsafeRawBufferPointer(buffer), into: &record) { _ in sockets += 1 }
        return (progress, decoder.stats, sockets)
    }

    @Test("200,000 mutated real datagrams: no crash, every socket accounted for")
    func mutations() {
        var g = SeededGenerator(seed: 0xF022)
        var totalProblems: UInt64 = 0
        for i in 0..<200_000 {
            var bytes = Self.seeds[i % Self.seeds.count]
            switch Int.random(in: 0..<4, using: &g) {
            case 0:  // flip bytes
                for _ in 0..<Int.random(in: 1...8, using: &g) {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                }
            case 1:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &g)))
            case 2:  // corrupt a length field: message or attribute
                let at = Int.random(in: 0..<max(1, bytes.count - 2), using: &g) & ~3
                if at + 2 <= bytes.count {
                    let v = [UInt16(0), 1, 3, 4, 0xffff, UInt16.random(in: 0...0xffff, using: &g)].randomElement(using: &g)!
                    bytes[at] = UInt8(v & 0xff)
                    bytes[at + 1] = UInt8(v >> 8)
                }
            default:  // splice two datagrams at random points
                let other = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &g)]
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &g))) + other.suffix(Int.random(in: 0...other.count, using: &g))
            }
            let (_, stats, sockets) = decode(bytes)
            #expect(stats.sockets == UInt64(sockets))
            totalProblems += stats.problems
        }
        #expect(totalProblems > 10_000, "mutations were detected: \(totalProblems)")
    }

    @Test("each kind of damage lands in its counter")
    func specificDamage() {
        let reply = Self.seeds.first { $0.count > 400 && $0[4] == 20 }!
        // A header claiming more than the buffer holds.
        var long = reply
        long[0] = 0xff; long[1] = 0xff
        #expect(decode(long).1.truncatedMessages == 1)
        // Fewer bytes than a header.
        #expect(decode(Array(reply.prefix(10))).1.truncatedMessages == 1)
        // A socket message too short for inet_diag_msg.
        var short: [UInt8] = [32, 0, 0, 0, 20, 0, 2, 0] + [UInt8](repeating: 0, count: 24)
        #expect(decode(short).1.shortSocketMessages == 1)
        // An attribute whose length runs past its message.
        short = reply
        let messageLength = Int(reply[0]) | Int(reply[1]) << 8
        short = Array(reply.prefix(messageLength))
        short[16 + 72] = 0xff; short[16 + 73] = 0x0f
        let (_, stats, sockets) = decode(short)
        #expect(stats.malformedAttributes == 1 && sockets == 1)
        // NLMSG_ERROR with an errno, and NLMSG_DONE.
        let error: [UInt8] = [36, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] + withUnsafeBytes(of: Int32(-16)) { Array($0) } + [UInt8](repeating: 0, count: 16)
        let (progress, errorStats, _) = decode(error)
        #expect(progress == .failed(errno: 16) && errorStats.netlinkErrors == 1)
        // Regression (found by the mutation test): an errno of Int32.min trapped on negation.
        let minError: [UInt8] = [20, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]
        #expect(decode(minError).0 == .failed(errno: Int32.max))
        let done: [UInt8] = [20, 0, 0, 0, 3, 0, 0x12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let (doneProgress, doneStats, _) = decode(done)
        #expect(doneProgress == .done && doneStats.dumpsDone == 1 && doneStats.dumpInterrupted == 1)
    }

    @Test("tcp_info of every length from 0 to 300 decodes what it covers, zero beyond")
    func everyTCPInfoLength() {
        // A full 280-byte tcp_info with byte i = i, in an inet_diag reply.
        for length in 0...300 {
            let info = (0..<length).map { UInt8(truncatingIfNeeded: $0 | 1) }
            let attribute: [UInt8] = [UInt8((4 + length) & 0xff), UInt8((4 + length) >> 8), 2, 0] + info + [UInt8](repeating: 0, count: (4 - length % 4) % 4)
            let total = 16 + 72 + attribute.count
            let message: [UInt8] = [UInt8(total & 0xff), UInt8(total >> 8), 0, 0, 20, 0, 2, 0] + [UInt8](repeating: 0, count: 8) + [2] + [UInt8](repeating: 0, count: 71) + attribute
            var decoder = DumpDecoder(attributes: .all)
            var record = FlatRecord()
            var got: FlatRecord?
            _ = message.withUnsafeBytes { decoder.decode($0, into: &record) { got = $0 } }
            #expect(got?.tcpInfoLength == UInt32(length))
            // rto at offset 8, total_rto_time at 244, received_ce_bytes at 276:
            // a field reads non-zero exactly when the attribute reaches into it.
            #expect((got?.tcpInfoRto != 0) == (length > 8))
            #expect((got?.tcpInfoTotalRtoTime != 0) == (length > 244))
            #expect((got?.tcpInfoReceivedCeBytes != 0) == (length > 276))
        }
    }
}
