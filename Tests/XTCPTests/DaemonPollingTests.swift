import Foundation
import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("The daemon reports every socket exactly once per poll (live kernel)", .serialized)
struct DaemonPollingTests {
    @Test("2,020 sockets over IPv4 and IPv6, 3 polls: ss's socket set in each poll, nothing doubled", arguments: [1, 2, 4], ReceivePath.allCases)
    func everySocketOncePerPoll(netlinkers: Int, path: ReceivePath) throws {
        try withSocketFarm("port_farm.py", ["25"]) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-poll-\(netlinkers)-\(path.tag)-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }

            let run = try Shell.capture(ns.exec([
                Paths.xtcp, "-frequency", "300ms", "-maxLoops", "3", "-pollJitterPct", "0", "-netlinkers", "\(netlinkers)", "-cpus", "\(netlinkers)", "-namespaces", "own",
                "-promListen", "off",  // its listening socket would be one more than the farm's
                "-dest", "file:\(output)", "-marshal", "protobufList", "-hostname", "poll-test", "-label", "netlinkers-\(netlinkers)",
            ] + path.flags))
            #expect(run.status == 0, "\(run.stderr)")
            let running = netlinkers
            #expect(XTCPSummary.netlinkers(in: run.stderr) == running, "\(run.stderr)")
            let expected = try SocketKey.ssKeys(in: ns)
            #expect(expected.count == 2 * 10 * 101, "the farm's sockets: \(expected.count)")

            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
            let records = try #require(ProtobufList.records(bytes), "the output decodes")
            for poll in UInt64(1)...3 {
                let rows = records.filter { $0.pollSequence == poll }
                let keys = rows.map(SocketKey.key)
                #expect(keys.count == expected.count, "poll \(poll): \(keys.count) records for \(expected.count) sockets")
                #expect(Set(keys) == Set(expected), "poll \(poll): another socket set")
                #expect(Set(rows.map(\.inetDiagMsgSocketCookie)).count == rows.count, "poll \(poll): a socket twice")
                #expect(Set(rows.map(\.netlinkerId)) == Set((0..<UInt64(running)).map { $0 }), "poll \(poll): netlinkers")
                #expect(rows.allSatisfy { $0.hostname == "poll-test" && $0.label == "netlinkers-\(netlinkers)" && $0.netns == "host" })
                #expect(Set(rows.map(\.timestampNs)).count == 1, "poll \(poll): one request time")
            }
            #expect(records.count == 3 * expected.count)
        }
    }

    @Test("-netlinkers is capped at one per CPU (the affinity mask's, or -cpus)")
    func oneNetlinkerPerCPU() throws {
        let cpus = try XTCPSummary.expectedNetlinkers(asked: 1024)
        let capped = try Shell.capture([Paths.xtcp, "-netlinkers", "64", "-maxLoops", "1", "-dest", "null"])
        #expect(XTCPSummary.netlinkers(in: capped.stderr) == min(cpus, 64), "\(capped.stderr)")
        let told = try Shell.capture([Paths.xtcp, "-netlinkers", "4", "-cpus", "3", "-maxLoops", "1", "-dest", "null"])
        #expect(XTCPSummary.netlinkers(in: told.stderr) == 3 && told.stderr.contains("one per CPU; -netlinkers 4"), "\(told.stderr)")
    }
}
