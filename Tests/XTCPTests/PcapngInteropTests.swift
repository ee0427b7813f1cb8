import Foundation
import Netlink
import Testing
import TestSupport

/// pcapng against Wireshark's own reader and writer (tshark, capinfos,
/// editcap from Debian's tshark): what `xtcp -capture` writes they read,
/// with the kernel release in the section header; what editcap writes
/// `xtcp -replay` reads as it reads the pcap it came from.
@Suite("pcapng with Wireshark's tools: xtcp's captures read by tshark, editcap's replayed by xtcp (live)", .serialized)
struct PcapngInteropTests {
    @Test("tshark reads every packet of xtcp -capture as netlink sock_diag; capinfos shows the kernel release it records")
    func wiresharkReadsCaptures() throws {
        let uname = try Shell.run(["uname", "-r"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try withSocketFarm("socket_farm.py", ["2"]) { ns, _ in
            let path = NSTemporaryDirectory() + "xtcp-interop-\(getpid()).pcapng"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Shell.run(ns.exec([Paths.xtcp, "-capture", path]))
            let datagrams = try CaptureFile(path: path).datagrams.count
            let protocols = try Shell.run(["tshark", "-r", path, "-T", "fields", "-e", "netlink.family", "-e", "frame.len"])
                .split(separator: "\n")
            #expect(datagrams >= 4 && protocols.count == datagrams, "\(protocols.count) packets read by tshark, \(datagrams) by xtcp")
            let info = try Shell.run(["capinfos", path])
            #expect(info.contains("Linux \(uname)") && info.contains("Linux Netlink") && info.contains("xtcp "), "\(info)")
        }
    }

    @Test("a pcap turned into pcapng by editcap replays as the pcap does: the same sockets, the same records")
    func xtcpReadsWiresharksPcapng() throws {
        let pcap = Paths.xtcp2Captures + "/6_10_3/6_10_3_tcp_1000_sockets.pcap"
        let pcapng = NSTemporaryDirectory() + "xtcp-editcap-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: pcapng) }
        try Shell.run(["editcap", "-F", "pcapng", pcap, pcapng])
        let original = try Shell.capture([Paths.xtcp, "-replay", pcap, "-marshal", "jsonl", "-hostname", "h"], timeout: 60)
        let converted = try Shell.capture([Paths.xtcp, "-replay", pcapng, "-marshal", "jsonl", "-hostname", "h"], timeout: 60)
        #expect(original.status == 0 && converted.status == 0, "\(original.stderr) \(converted.stderr)")
        #expect(converted.stderr.contains("replayed 1587 sockets") && converted.stderr.contains("(pcapng)"), "\(converted.stderr)")
        let lines = { (text: String) in text.split(separator: "\n").map { $0.replacingOccurrences(of: #""timestampNs":"\d+","#, with: "", options: .regularExpression) } }
        #expect(lines(original.stdout).count == 1587 && lines(original.stdout) == lines(converted.stdout))
    }
}
