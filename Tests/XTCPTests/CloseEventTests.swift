import Foundation
import Netlink
import RecordFmt
import Testing
import TestSupport
@testable import XTCP
#if canImport(Glibc)
import Glibc
#endif

@Suite("-closeEvents: the last state of every socket the kernel destroys (live kernel)", .serialized)
struct CloseEventTests {
    @Test("1,000 short connections between two polls: each end once, as CLOSE, with its final byte counts", arguments: ReceivePath.allCases)
    func shortConnections(path: ReceivePath) throws {
        try withSocketFarm("short_connections.py", []) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-close-\(path.tag)-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }

            let xtcp = try LineProcess(ns.exec([
                Paths.xtcp, "-frequency", "1s", "-pollJitterPct", "0", "-maxLoops", "4", "-namespaces", "own", "-promListen", "off",
                "-closeEvents", "-dest", "file:\(output)", "-marshal", "protobufList",
            ] + path.flags), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
            let count = 1000
            #expect(farm.ask("go \(count)") == "done")
            #expect(xtcp.finish() == 0, "\(xtcp.lines.suffix(3))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 4 polls") })
            #expect(summary.contains("closes=\(2 * count) "), "\(summary)")
            #expect(!summary.contains("closesLost"), "\(summary)")

            let records = try #require(try ProtobufList.records(inFile: output))
            let closes = records.filter { $0.recordKind == .close }
            #expect(closes.count == 2 * count)
            #expect(Set(closes.map(\.inetDiagMsgSocketCookie)).count == closes.count, "a socket twice")
            // Clients connect to port 6000, servers answer from it. Connection
            // i sent 100 + i bytes and got 1 + i % 7; each FIN counts one more
            // byte received.
            let clients = closes.filter { $0.inetDiagMsgSocketDestinationPort == 6000 }
            let servers = closes.filter { $0.inetDiagMsgSocketSourcePort == 6000 }
            #expect(clients.count == count && servers.count == count)
            #expect(clients.map { Int($0.tcpInfoBytesSent) - 100 }.sorted() == Array(0..<count), "each client once, by the bytes it sent")
            #expect(servers.map { Int($0.tcpInfoBytesReceived) - 101 }.sorted() == Array(0..<count), "each server once, by the bytes it received")
            let wrong = clients.filter { $0.tcpInfoBytesReceived != 1 + (($0.tcpInfoBytesSent - 100) % 7) + 1 }
                + servers.filter { $0.tcpInfoBytesSent != 1 + (($0.tcpInfoBytesReceived - 101) % 7) }
            #expect(wrong.isEmpty, "\(wrong.count) ends with other final counts: \(wrong.prefix(2).map { ($0.tcpInfoBytesSent, $0.tcpInfoBytesReceived) })")
            #expect(Set(clients.map(\.inetDiagMsgFamily)) == [2, 10], "both families")
            #expect(closes.allSatisfy { $0.netns == "host" && $0.timestampNs > 0 && $0.tcpInfoState == 7 })
        }
    }

    @Test("a filter holds for close events too (filtered in xtcp: multicast is not)")
    func filtered() throws {
        try withSocketFarm("short_connections.py", []) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-close-filter-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let xtcp = try LineProcess(ns.exec([
                Paths.xtcp, "-frequency", "1s", "-pollJitterPct", "0", "-maxLoops", "3", "-namespaces", "own", "-promListen", "off",
                "-closeEvents", "-filter", "src 127.0.0.0/8 and dport = :6000", "-dest", "file:\(output)", "-marshal", "protobufList",
            ]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
            #expect(farm.ask("go 100") == "done")
            #expect(xtcp.finish() == 0)
            let records = try #require(try ProtobufList.records(inFile: output))
            let closes = records.filter { $0.recordKind == .close }
            // The 50 IPv4 clients only.
            #expect(closes.count == 50 && closes.allSatisfy { $0.inetDiagMsgFamily == 2 && $0.inetDiagMsgSocketDestinationPort == 6000 })
        }
    }

    @Test("a namespace let go with closes still queued: they are read, each once, before its socket is closed")
    func leavingNamespaceDrained() throws {
        try withSocketFarm("short_connections.py", []) { ns, farm in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("xtcp-close-leaving-\(getpid()).bin").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            var config = DaemonConfig(identity: RecordIdentity(hostname: "test"))
            config.destination = .file(path: output)
            let listener = try CloseEventListener(config: config, destination: try config.destination.open())
            let path = "/run/netns/\(ns.name)"
            var info = stat()
            #expect(stat(path, &info) == 0)
            let namespace = PolledNamespace(name: ns.name, inode: UInt64(info.st_ino), path: path)

            // Subscribed, but its thread not started: the 200 closes wait in
            // the queue when the namespace is let go, as the last closes of a
            // container that has just ended can.
            #expect(listener.update(NamespaceChange(added: [namespace])).isEmpty)
            #expect(farm.ask("go 100") == "done")
            #expect(listener.update(NamespaceChange(removed: [namespace])).isEmpty)
            #expect(listener.count == 0)
            try listener.start()
            listener.stop()

            let (counts, problems) = listener.take()
            #expect(problems.isEmpty, "\(problems)")
            #expect(counts.closes.events == 200 && counts.closes.lost == 0, "\(counts.closes.events) heard, \(counts.closes.lost) lost")
            let records = try #require(try ProtobufList.records(inFile: output))
            #expect(records.count == 200 && records.allSatisfy { $0.recordKind == .close && $0.netns == ns.name })
            #expect(Set(records.map(\.inetDiagMsgSocketCookie)).count == 200, "a socket twice")
        }
    }

    @Test("an overflowing receive queue: every close is heard or counted lost, and the overflow is counted")
    func overflowCounted() throws {
        try withTestNamespace { ns in
            let connections = 5000
            let farm = try SocketFarm(in: ns, script: "close_farm.py", arguments: ["\(connections)", "127.0.0.1", "7000"])
            defer { farm.stop() }
            // The smallest buffer xtcp takes, and xtcp stopped while 10,000 sockets close.
            let xtcp = try LineProcess(ns.exec([
                Paths.xtcp, "-frequency", "500ms", "-pollJitterPct", "0", "-maxLoops", "6", "-namespaces", "own", "-promListen", "off",
                "-closeEvents", "-closeEventsBuffer", "65536", "-dest", "null",
            ]), readsStderr: true)
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
            kill(xtcp.processIdentifier, SIGSTOP)
            let answer = farm.ask("go") ?? ""
            kill(xtcp.processIdentifier, SIGCONT)
            #expect(answer.hasPrefix("closed"), "\(answer)")
            #expect(xtcp.finish() == 0, "\(xtcp.lines.suffix(3))")
            let summary = try #require(xtcp.lines.last { $0.hasPrefix("xtcp: 6 polls") })
            func count(_ key: String) -> Int {
                guard let range = summary.firstRange(of: " \(key)=") else { return 0 }
                return Int(summary[range.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            let heard = count("closes"), lost = count("closesLost"), overflows = count("closeOverflows")
            #expect(heard + lost == 2 * connections, "heard \(heard) + lost \(lost): \(summary)")
            #expect(lost > 0 && overflows >= 1, "\(summary)")
        }
    }
}
