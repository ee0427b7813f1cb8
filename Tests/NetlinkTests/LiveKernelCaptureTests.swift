import Foundation
import Netlink
import Platform
import RecordFmt
import Testing
import TestSupport

/// Captures made on this machine's kernel (6.18 here): a socket farm in a
/// fresh namespace with IPv4 and IPv6, bbr/cubic/reno, LISTEN, ESTAB,
/// CLOSE-WAIT and FIN-WAIT-2 sockets and unread data, dumped by `ss -D`, whose
/// raw replies ss itself then prints (TCPDIAG_FILE), so both read the same
/// bytes.
@Suite("Decoding this kernel's dumps, checked against ss", .serialized)
struct LiveKernelCaptureTests {
    /// ss's TCPDIAG_FILE replay stops at the first NLMSG_DONE, so the raw
    /// file is cut into one piece per dump and each piece is printed.
    func ssText(ofRawDump path: String) throws -> String {
        let bytes = try FileBytes.read(path: path)
        var pieces: [[UInt8]] = [[]]
        var offset = 0
        while offset + 16 <= bytes.count {
            let length = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            let type = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self) }
            let end = min(bytes.count, offset + ((length + 3) & ~3))
            pieces[pieces.count - 1] += bytes[offset..<end]
            if type == 3 { pieces.append([]) }
            offset = end
        }
        var text = ""
        for (i, piece) in pieces.enumerated() where !piece.isEmpty {
            let piecePath = "\(path).\(i)"
            try Data(piece).write(to: URL(fileURLWithPath: piecePath))
            defer { try? FileManager.default.removeItem(atPath: piecePath) }
            // -n: numeric rates (bps) as well as ports.
            text += try Shell.run(["ss", "-tiemn", "-a"], environment: ["TCPDIAG_FILE": piecePath])
        }
        return text
    }

    @Test("every socket of an ss -D dump decodes to what ss prints")
    func ssRawDumpMatches() throws {
        try withTestNamespace { ns in
            let farm = try SocketFarm(in: ns, pairsPerKind: 3)
            defer { farm.stop() }
            let raw = NSTemporaryDirectory() + "xtcp-ss-\(getpid()).raw"
            defer { try? FileManager.default.removeItem(atPath: raw) }
            try Shell.run(ns.exec(["ss", "-tiem", "-a", "-D", raw]))

            let (records, stats) = try Replay.records(path: raw)
            let result = Replay.compareWithSS(records: records, ssText: try ssText(ofRawDump: raw))
            #expect(result.problems.isEmpty, "\(result.problems.prefix(10))")
            #expect(stats.problems == 0, "\(stats)")
            #expect(stats.dumpsDone == 2)

            // The farm is what the test says it is.
            let states = Set(records.map(\.inetDiagMsgState))
            #expect(states.isSuperset(of: [1, 5, 8, 10]), "ESTAB, FIN-WAIT-2, CLOSE-WAIT, LISTEN: \(states)")
            #expect(Set(records.map(\.inetDiagMsgFamily)) == [2, 10])
            #expect(Set(records.map(\.congestionAlgorithmString)).isSuperset(of: ["bbr", "cubic", "reno"]))
            #expect(records.contains { $0.inetDiagMsgRqueue > 0 && $0.inetDiagMsgState == 1 })
            #expect(records.contains { $0.bbrInfoBwLo != 0 || $0.bbrInfoMinRtt != 0 })
            // Linux 6.18 sends the 280-byte tcp_info: check the tail was read.
            let infoLengths = Set(records.map(\.tcpInfoLength)).subtracting([0])
            #expect(infoLengths.count == 1)
            #expect(result.matched == 2 * (1 + 10 * 3))  // per family: a listener, 3 kinds × 3 pairs, 3 unread, 3 half-closed
        }
    }

    @Test("xtcp -capture sees the same sockets as ss, and its pcap replays")
    func captureMatchesSS() throws {
        try withTestNamespace { ns in
            let farm = try SocketFarm(in: ns, pairsPerKind: 2)
            defer { farm.stop() }
            let pcap = NSTemporaryDirectory() + "xtcp-capture-\(getpid()).pcap"
            defer { try? FileManager.default.removeItem(atPath: pcap) }
            try Shell.run(ns.exec([Paths.xtcp, "-capture", pcap, "-deserializers", "all"]))
            let ssText = try Shell.run(ns.exec(["ss", "-tiem", "-a"]))

            let (records, stats) = try Replay.records(path: pcap)
            #expect(stats.problems == 0)
            let ssCookies = Set(SSOutput.parse(ssText).compactMap(\.cookie))
            #expect(Set(records.map(\.inetDiagMsgSocketCookie)) == ssCookies)
            #expect(ssCookies.count == 2 * (1 + 10 * 2))
        }
    }
}
