import Foundation
import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("-filter and -states in the daemon: records of exactly ss's sockets (live kernel)", .serialized)
struct FilterDaemonTests {
    @Test("a filter and a state set, 2 netlinkers, both receive paths", arguments: ReceivePath.allCases)
    func filteredPolls(path: ReceivePath) throws {
        try withSocketFarm("filter_farm.py", []) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-filter-\(path.tag)-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            // ss needs the spaces inside the parentheses; xtcp does not.
            let expression = "( src 127.0.0.0/8 or dst [::1] ) and not sport = :22"

            let run = try Shell.capture(ns.exec([
                Paths.xtcp, "-frequency", "300ms", "-maxLoops", "2", "-pollJitterPct", "0", "-netlinkers", "2", "-cpus", "2",
                "-namespaces", "own", "-promListen", "off", "-filter", expression, "-states", "connected",
                "-dest", "file:\(output)", "-marshal", "protobufList",
            ] + path.flags))
            #expect(run.status == 0, "\(run.stderr)")
            let expected = try SocketKey.ssKeys(in: ns, ["state", "connected", expression])
            let all = try SocketKey.ssKeys(in: ns)
            #expect(expected.count > 20 && expected.count < all.count / 2, "ss keeps \(expected.count) of \(all.count)")

            let records = try #require(try ProtobufList.records(inFile: output))
            for poll in UInt64(1)...2 {
                let keys = records.filter { $0.pollSequence == poll }.map(SocketKey.key)
                #expect(keys.count == expected.count && Set(keys) == Set(expected),
                        "poll \(poll): \(keys.count) records, ss \(expected.count); only xtcp \(Set(keys).subtracting(expected).sorted().prefix(3))")
            }
            #expect(records.allSatisfy { $0.inetDiagMsgState != 10 && $0.inetDiagMsgSocketSourcePort != 22 }, "a listener or port 22")
        }
    }
}
