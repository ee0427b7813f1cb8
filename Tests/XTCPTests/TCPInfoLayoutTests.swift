import Foundation
import Netlink
import Platform
import RecordFmt
import Testing
import TestSupport
import XTCP

/// tcp_info's u32 at offset 248 has two layouts at the same 280-byte
/// length: 6.18's `__u16 tcpi_accecn_fail_mode; __u16 tcpi_accecn_opt_seen;`
/// and 7.0's `__u32 tcpi_ecn_mode:2, tcpi_accecn_opt_seen:2,
/// tcpi_accecn_fail_mode:4, tcpi_options2:24;`. No capture of 7.0 exists
/// here: the bytes are crafted from the two kernels' headers, and go
/// through the capture readers (pcap, pcapng) and xtcp itself.
@Suite("tcp_info's ECN word decoded by kernel release: 6.18's two u16, 7.0's bit fields (live)", .serialized)
struct TCPInfoLayoutTests {
    /// 7.0: an RFC 3168 ECN socket (ecn_mode 1) and nothing else.
    static let classicECN70: UInt32 = 1
    /// 7.0: every field set: ecn_mode 2, accecn_opt_seen 3, accecn_fail_mode 0xA, options2 0x123456.
    static let everyField70: UInt32 = 2 | 3 << 2 | 0xA << 4 | 0x12_3456 << 8
    /// 6.18: accecn_fail_mode 5, accecn_opt_seen 2.
    static let halves618: UInt32 = 5 | 2 << 16

    /// One IPv4 dump as the kernel answers it: a socket per word, then NLMSG_DONE.
    static func dump(_ words: [UInt32]) -> [[UInt8]] {
        [words.enumerated().flatMap { FakeKernel.socketMessage(family: 2, sequence: 1, namespace: "crafted", index: $0, flags: 0x2, accecnWord: $1) },
         FakeKernel.done(sequence: 1)]
    }

    /// A LINKTYPE_NETLINK pcap (nlmon's, xtcp2's: no kernel release in it).
    static func writePcap(_ datagrams: [[UInt8]], to path: String) throws {
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        u32(0xa1b2_c3d4); u16(2); u16(4); u32(0); u32(0); u32(262_144); u32(253)
        for datagram in datagrams {
            u32(1_700_000_000); u32(0); u32(UInt32(16 + datagram.count)); u32(UInt32(16 + datagram.count))
            bytes += [0, 0, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]  // PACKET_HOST, ARPHRD_NETLINK, NETLINK_SOCK_DIAG
            bytes += datagram
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A pcapng as `xtcp -capture` writes it, recording `release`.
    static func writePcapng(_ datagrams: [[UInt8]], release: String, to path: String) throws {
        let writer = try PcapngWriter(path: path, release: KernelRelease(release), application: "xtcp tests")
        for datagram in datagrams {
            try datagram.withUnsafeBytes { raw in
                try Result { () throws(SystemError) in try writer.write(datagram: raw, outgoing: false, timestampNanoseconds: 1) }.get()
            }
        }
    }

    /// xtcp's records and its summary line for `xtcp -replay PATH ARGUMENTS`.
    static func replay(_ path: String, _ arguments: [String] = []) throws -> (records: [FlatRecord], line: String) {
        let output = NSTemporaryDirectory() + "xtcp-layout-\(getpid()).bin"
        try? FileManager.default.removeItem(atPath: output)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try Shell.capture([Paths.xtcp, "-replay", path, "-dest", "file:" + output, "-marshal", "protobufList"] + arguments, timeout: 20)
        guard run.status == 0 else { throw Shell.Failure(command: arguments, status: run.status, stderr: run.stderr) }
        return (try #require(try ProtobufList.records(inFile: output)), run.stderr)
    }

    static func ecn(_ r: FlatRecord) -> [UInt32] {
        [r.tcpInfoEcnMode, r.tcpInfoAccecnOptSeen, r.tcpInfoAccecnFailMode, r.tcpInfoOptions2]
    }

    @Test("a release says the layout: 7.0 on packs bit fields, 6.18 and before have two u16; a capture's shb_os names the release")
    func layoutByRelease() {
        for (release, layout) in [("7.0.3", TCPInfoLayout.accecnPacked), ("7.0", .accecnPacked), ("7.1.0-rc2", .accecnPacked), ("10.2.1", .accecnPacked),
                                  ("6.18.44-fc-v1045", .accecnHalves), ("6.18", .accecnHalves), ("6.10.3", .accecnHalves), ("4.15.0-213-generic", .accecnHalves)] {
            #expect(TCPInfoLayout(release: KernelRelease(release)) == layout, "\(release)")
        }
        #expect(KernelRelease(finding: "Linux 7.0.3-arch1-1")?.description == "7.0.3-arch1-1")
        #expect(KernelRelease(finding: "64-bit Linux 6.18.0-1-amd64")?.description == "6.18.0-1-amd64")
        #expect(KernelRelease(finding: "Linux") == nil && KernelRelease(finding: "Windows 10") == nil && KernelRelease(finding: ".5") == nil)
        // The word's fields, from the headers' layouts.
        #expect(TCPInfoLayout.accecnPacked.fields(of: Self.everyField70) == (2, 3, 0xA, 0x12_3456))
        #expect(TCPInfoLayout.accecnHalves.fields(of: Self.halves618) == (0, 2, 5, 0))
    }

    @Test("a 7.0 pcap with -replayKernel 7.0.3: ecn_mode 1 and accecn_fail_mode 0 for a last word of 1; every bit field where 7.0 puts it")
    func sevenGiven() throws {
        let path = NSTemporaryDirectory() + "xtcp-70-\(getpid()).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let words = Array(repeating: Self.classicECN70, count: 20) + [Self.everyField70]
        try Self.writePcap(Self.dump(words), to: path)

        let given = try Self.replay(path, ["-replayKernel", "7.0.3"])
        #expect(given.records.count == 21)
        let classic = given.records.filter { $0.inetDiagMsgSocketSourcePort != UInt32(FakeKernel.sourcePort(index: 20)) }
        #expect(classic.count == 20 && classic.allSatisfy { Self.ecn($0) == [1, 0, 0, 0] }, "\(classic.map(Self.ecn))")
        let every = try #require(given.records.first { $0.inetDiagMsgSocketSourcePort == UInt32(FakeKernel.sourcePort(index: 20)) })
        #expect(Self.ecn(every) == [2, 3, 0xA, 0x12_3456])
        #expect(given.line.contains("(pcap, -replayKernel 7.0.3)"), "\(given.line)")

        // Not given, a pcap says no release: 6.18's reading, which is what
        // the word means on 6.18 (and what xtcp did on 7.0 before).
        let unknown = try Self.replay(path)
        #expect(unknown.records.filter { $0.tcpInfoAccecnFailMode == 1 }.count == 20)
        #expect(unknown.records.allSatisfy { $0.tcpInfoEcnMode == 0 && $0.tcpInfoOptions2 == 0 })
    }

    @Test("6.18's bytes decode as two u16, as before, with -replayKernel 6.18 or no release")
    func sixEighteen() throws {
        let path = NSTemporaryDirectory() + "xtcp-618-\(getpid()).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writePcap(Self.dump(Array(repeating: Self.halves618, count: 5)), to: path)
        for arguments in [["-replayKernel", "6.18.0"], []] {
            let run = try Self.replay(path, arguments)
            #expect(run.records.count == 5 && run.records.allSatisfy { Self.ecn($0) == [0, 2, 5, 0] }, "\(arguments): \(run.records.map(Self.ecn))")
        }
    }

    @Test("a pcapng recording Linux 7.0.3 decodes as 7.0 by itself, and -replayKernel overrides what it records")
    func pcapngRecordsTheRelease() throws {
        let path = NSTemporaryDirectory() + "xtcp-70-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writePcapng(Self.dump([Self.classicECN70, Self.everyField70]), release: "7.0.3", to: path)
        #expect(try CaptureFile(path: path).kernelRelease?.description == "7.0.3")

        let recorded = try Self.replay(path)
        #expect(recorded.records.map(Self.ecn).sorted { $0[0] < $1[0] } == [[1, 0, 0, 0], [2, 3, 0xA, 0x12_3456]])
        #expect(recorded.line.contains("(pcapng of Linux 7.0.3)"), "\(recorded.line)")

        let overridden = try Self.replay(path, ["-replayKernel", "6.18"])
        #expect(overridden.records.contains { $0.tcpInfoAccecnFailMode == 1 && $0.tcpInfoEcnMode == 0 })
    }

    @Test("the live path decodes by the running kernel's release: uname -r, which -capture records in what it writes")
    func livePathUsesUname() throws {
        let uname = try Shell.run(["uname", "-r"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(KernelRelease.current.description == uname)
        #expect(DaemonConfig(identity: RecordIdentity(hostname: "h")).tcpInfoLayout == TCPInfoLayout(release: KernelRelease(uname)))
        #expect(TCPInfoLayout.running == TCPInfoLayout(release: KernelRelease(uname)))

        try withSocketFarm("socket_farm.py", ["1"]) { ns, _ in
            let path = NSTemporaryDirectory() + "xtcp-live-\(getpid()).pcapng"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Shell.run(ns.exec([Paths.xtcp, "-capture", path]))
            #expect(try CaptureFile(path: path).kernelRelease?.description == uname)
            let replayed = try Self.replay(path)
            #expect(replayed.line.contains("(pcapng of Linux \(uname))") && replayed.records.count >= 3, "\(replayed.line)")
        }
    }
}
