import Foundation
import Netlink
import RecordFmt
import Testing
import TestSupport
@testable import XTCP

/// `-replay` with `-filter` and `-states` keeps exactly the sockets a live
/// poll's kernel would have kept: on every capture of `../shared/fixtures`,
/// against xtcp's matcher (held to the kernel's and ss's choices on a live
/// farm by SocketFilterTests) and against ss itself, which applies its
/// expression to a dump read from a file (`TCPDIAG_FILE`).
@Suite("-replay honours -filter and -states: the matcher's and ss's sockets on every capture", .serialized)
struct ReplayFilterTests {
    /// Expressions and state sets that keep some sockets of the captures
    /// (loopback pairs on ports 4000-4100 and 6000-65535, an ssh listener
    /// and session on 10.0.2.15) and leave others.
    static let selections: [(filter: String?, states: String?)] = [
        ("sport = :22", nil), ("dport = :22 or sport = :22", nil), ("sport >= :8000", nil), ("dport < :4050", nil),
        ("src 10.0.2.15", nil), ("dst 10.0.2.0/24 or dst 127.0.0.0/8", nil), ("not ( sport = :22 or dport = :22 )", nil),
        ("src 127.0.0.1 and ( dport <= :4020 or sport > :60000 )", nil), ("src [::1]", nil), ("src *:22", nil),
        (nil, "listening"), (nil, "established"), ("sport != :22", "connected"), ("dport > :4090", "synchronized"),
    ]

    static let captures: [String] = {
        let root = Paths.xtcp2Captures
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).filter { $0.hasSuffix(".pcap") }.sorted()
                .map { root + "/" + folder + "/" + $0 }
        }
    }()

    /// The capture's dumps, each the reply datagrams up to its NLMSG_DONE or
    /// NLMSG_ERROR (requests left out): what `ss -D` would have written of
    /// each, and what replay numbers as polls 1, 2, ….
    static func dumps(of capture: CaptureFile) -> [[UInt8]] {
        var dumps: [[UInt8]] = []
        var current: [UInt8] = []
        var decoder = DumpDecoder(attributes: .defaultSet)
        var record = FlatRecord()
        for datagram in capture.datagrams {
            let isRequest = datagram.count >= 8 && datagram[datagram.startIndex + 6] & 1 != 0
            if !isRequest { current += datagram }
            if datagram.withUnsafeBytes({ decoder.decode($0, into: &record) { _ in } }) != .more {
                dumps.append(current)
                current = []
            }
        }
        if !current.isEmpty { dumps.append(current) }
        return dumps
    }

    /// ss's state names (its State column) as TCP state numbers.
    static let ssStates: [String: UInt32] = [
        "ESTAB": 1, "SYN-SENT": 2, "SYN-RECV": 3, "FIN-WAIT-1": 4, "FIN-WAIT-2": 5, "TIME-WAIT": 6, "UNCONN": 7,
        "CLOSE-WAIT": 8, "LAST-ACK": 9, "LISTEN": 10, "CLOSING": 11,
    ]

    /// What ss keeps of one dump: `TCPDIAG_FILE=FILE ss -tanH [EXPR]`. Read
    /// from a file, ss applies its expression itself but not `state`
    /// (that is the kernel's part of a live dump), so the states are taken
    /// from its State column.
    static func ssKeys(dumpFile: String, filter: String?, states: String?) throws -> [String] {
        let output = try Shell.run(["ss", "-tanH"] + (filter.map { [$0] } ?? []), environment: ["TCPDIAG_FILE": dumpFile])
        let wanted = try states.map { try TCPStateSet(parsing: $0) }
        return try output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, let local = SSAddress(String(fields[3])), let peer = SSAddress(String(fields[4])) else { return nil }
            let state = try #require(Self.ssStates[String(fields[0])], "ss state \(fields[0])")
            return wanted.map { $0.contains(state: state) } ?? true ? SocketKey.key(local, peer) : nil
        }
    }

    func replay(_ capture: CaptureFile, filter: String?, states: String?) throws -> [FlatRecord] {
        var config = DaemonConfig(identity: RecordIdentity(hostname: "replay"))
        config.marshal = .protobufList
        if let filter { try config.setFilter(try SocketFilter(parsing: filter)) }
        if let states { config.states = try TCPStateSet(parsing: states) }
        let destination = RecordingDestination()
        _ = ReplayRunner(config: config).run(capture, into: destination)
        return destination.records
    }

    @Test("every capture, 14 selections: replay's sockets are the matcher's and ss's, dump by dump")
    func everyCapture() throws {
        #expect(Self.captures.count >= 40, "\(Self.captures.count) captures")
        let file = NSTemporaryDirectory() + "xtcp-replay-dump-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var compared = 0, kept = 0, left = 0
        for path in Self.captures {
            let capture = try CaptureFile(path: path)
            let all = try replay(capture, filter: nil, states: nil)
            let dumps = Self.dumps(of: capture)
            for selection in Self.selections {
                let ours = try replay(capture, filter: selection.filter, states: selection.states)
                let matcher = try selection.filter.map { try SocketFilter(parsing: $0) }
                let states = try selection.states.map { try TCPStateSet(parsing: $0) }
                let expected = all.filter { (matcher?.matches($0) ?? true) && (states?.contains(state: $0.inetDiagMsgState) ?? true) }
                #expect(ours.map(\.inetDiagMsgSocketCookie) == expected.map(\.inetDiagMsgSocketCookie),
                        "\(path) \(selection): replay \(ours.count), matcher \(expected.count)")
                for (index, dump) in dumps.enumerated() where !dump.isEmpty {
                    try Data(dump).write(to: URL(fileURLWithPath: file))
                    let theirs = try Self.ssKeys(dumpFile: file, filter: selection.filter, states: selection.states).sorted()
                    let mine = ours.filter { $0.pollSequence == UInt64(index + 1) }.map(SocketKey.key).sorted()
                    #expect(mine == theirs, """
                        \((path as NSString).lastPathComponent) dump \(index + 1) \(selection): xtcp \(mine.count), ss \(theirs.count); \
                        only xtcp: \(Set(mine).subtracting(theirs).sorted().prefix(3)), only ss: \(Set(theirs).subtracting(mine).sorted().prefix(3))
                        """)
                    compared += 1
                }
                kept += ours.count
                left += all.count - ours.count
            }
        }
        // The selections were not vacuous: they kept some sockets and left others.
        #expect(compared > 500 && kept > 1000 && left > 1000, "\(compared) dumps compared, \(kept) kept, \(left) left")
        print("replay filter: \(Self.captures.count) captures, \(compared) dumps compared with ss, \(kept) sockets kept, \(left) left")
    }

    @Test("the command line: -replay -filter -states prints just those sockets; -changesOnly is refused with one line, exit 2")
    func commandLine() throws {
        let capture = Paths.xtcp2Captures + "/6_10_3/6_10_3_tcp_100_sockets.pcap"
        let run = try Shell.capture([Paths.xtcp, "-replay", capture, "-filter", "sport = :22", "-states", "established", "-marshal", "jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.contains("\"inet_diag_msg_socket_source_port\":22") && $0.contains("\"inet_diag_msg_state\":1") },
                "\(run.stdout.prefix(300))")
        let all = try Shell.capture([Paths.xtcp, "-replay", capture, "-marshal", "jsonl"]).stdout.split(separator: "\n")
        #expect(all.count > lines.count)
        let refused = try Shell.capture([Paths.xtcp, "-replay", capture, "-changesOnly"])
        #expect(refused.status == 2 && refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("-changesOnly does not apply to -replay"),
                "\(refused.stderr)")
    }
}
