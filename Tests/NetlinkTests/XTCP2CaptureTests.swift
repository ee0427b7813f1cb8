import Foundation
import Netlink
import Testing
import TestSupport

/// The capture/ss pairs in ../shared/fixtures/xtcp2-captures: the pcap of the
/// netlink traffic of one `ss --tcp --info -a` run and that run's text.
struct CapturePair: CustomTestStringConvertible, Sendable {
    var kernel: String
    var pcap: String
    var ss: String
    var expectedSockets: Int?
    var testDescription: String { "\(kernel)/\(pcap)" }

    static let all: [CapturePair] = {
        var pairs: [CapturePair] = []
        for kernel in ["4_19_319", "5_4_281", "6_1_103", "6_10_3"] {
            for n in ["10", "100", "1000", "1000_sleep1ms"] {
                let pcapName = n.hasSuffix("sleep1ms") ? "\(kernel)_tcp_1000_sockets_sleep1ms.pcap" : "\(kernel)_tcp_\(n)_sockets.pcap"
                let ssName = "\(kernel)_ss_tcp_info_a_\(n)"
                if FileManager.default.fileExists(atPath: "\(Paths.xtcp2Captures)/\(kernel)/\(pcapName)") {
                    pairs.append(CapturePair(kernel: kernel, pcap: pcapName, ss: ssName))
                }
            }
        }
        // 6_6_44: its 10-socket text and pcap come from different runs (fixtures README).
        for (pcap, ss) in [("tcp_100_sockets.pcap", "ss_tcp_info_a_100"), ("tcp_1000_sockets.pcap", "ss_tcp_info_a_1000"),
                           ("tcp_100_sockets_bbr.pcap", "ss_tcp_info_a_100_bbr"), ("tcp_100_sockets_dctcp.pcap", "ss_tcp_info_a_100_dctcp"),
                           ("tcp_100_sockets_vegas.pcap", "ss_tcp_info_a_100_vegas"), ("ss_tcp_info_a_4.pcap", "ss_tcp_info_a_4")] {
            pairs.append(CapturePair(kernel: "6_6_44", pcap: pcap, ss: ss))
        }
        return pairs
    }()
}

@Suite("Decoding xtcp2's real kernel captures, checked against ss")
struct XTCP2CaptureTests {
    @Test("every capture pair is present (../shared beside the checkout)")
    func fixturesPresent() {
        #expect(CapturePair.all.count == 19)
    }

    @Test("same sockets and every value ss printed", arguments: CapturePair.all)
    func matchesSS(pair: CapturePair) throws {
        let dir = "\(Paths.xtcp2Captures)/\(pair.kernel)"
        let ssText = try String(contentsOfFile: "\(dir)/\(pair.ss)", encoding: .utf8)
        // Some captures hold several ss runs; the text is that of one of them.
        let runs = try Replay.recordsByRun(path: "\(dir)/\(pair.pcap)")
        let results = runs.map { Replay.compareWithSS(records: $0.records, ssText: ssText) }
        let best = try #require(results.indices.min { results[$0].problems.count < results[$1].problems.count })
        let (records, stats, result) = (runs[best].records, runs[best].stats, results[best])
        #expect(result.problems.isEmpty, "\(result.problems.count) problems, first: \(result.problems.prefix(8))")
        #expect(result.matched == records.count)
        #expect(result.matched > 0)
        #expect(stats.problems == 0, "\(stats)")
        #expect(stats.dumpsDone >= 1)
        #expect(result.checked > records.count * 5, "values compared: \(result.checked)")
    }
}
