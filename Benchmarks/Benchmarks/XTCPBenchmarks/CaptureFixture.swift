import Netlink
import RecordFmt

#if canImport(Glibc)
import Glibc
#endif

/// One of the xtcp2 1000-socket captures, loaded for benchmarking: its reply
/// datagrams copied into page-aligned buffers, as a netlinker's pooled
/// receive buffers hold them, and the records they decode to.
struct CaptureFixture {
    let name: String
    /// One buffer per datagram (the requests too: the decoder skips them, as
    /// it does in a capture). Never freed:
    /// they live as long as the benchmark process.
    let buffers: [UnsafeRawBufferPointer]
    let sockets: Int
    /// Every socket of the capture, decoded, with the per-poll fields a
    /// daemon stamps on each record.
    let records: [FlatRecord]

    /// The kernels whose 1000-socket dumps xtcp2 recorded, and their files.
    static let files = [
        ("4.19", "4_19_319/4_19_319_tcp_1000_sockets.pcap"),
        ("5.4", "5_4_281/5_4_281_tcp_1000_sockets.pcap"),
        ("6.6", "6_6_44/tcp_1000_sockets.pcap"),
        ("6.10", "6_10_3/6_10_3_tcp_1000_sockets.pcap"),
    ]

    /// `../shared/fixtures/xtcp2-captures`, found from this file's place in
    /// the checkout (Benchmarks/Benchmarks/XTCPBenchmarks/), or from
    /// `XTCP_CAPTURES` when set.
    static var capturesDirectory: String {
        if let override = getenv("XTCP_CAPTURES") { return String(cString: override) }
        var path = #filePath
        for _ in 0..<4 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/../shared/fixtures/xtcp2-captures"
    }

    static func loadAll() -> [CaptureFixture] {
        files.map { name, file in
            do {
                return try CaptureFixture(name: name, path: capturesDirectory + "/" + file)
            } catch {
                fatalError("benchmark fixture \(file): \(error)")
            }
        }
    }

    init(name: String, path: String) throws {
        self.name = name
        let capture = try CaptureFile(path: path)
        var buffers: [UnsafeRawBufferPointer] = []
        for datagram in capture.datagrams {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(datagram.count, 32 * 1024), alignment: 4096)
            buffer.copyBytes(from: datagram)
            buffers.append(UnsafeRawBufferPointer(rebasing: buffer[..<datagram.count]))
        }
        self.buffers = buffers

        var decoder = DumpDecoder(attributes: .all)
        var record = FlatRecord()
        Self.stampPollFields(&record)
        var records: [FlatRecord] = []
        for buffer in buffers {
            _ = decoder.decode(buffer, into: &record) { records.append($0) }
        }
        self.records = records
        self.sockets = records.count
        precondition(decoder.stats.sockets == records.count && records.count >= 1000,
                     "\(path): \(records.count) sockets decoded")
    }

    /// What the daemon sets once per poll: long enough strings that they are
    /// heap strings, as real host names and labels are.
    static func stampPollFields(_ record: inout FlatRecord) {
        record.schemaVersion = 1
        record.daemonVersion = "0.1.0"
        record.hostname = "host-0042.rack-17.dc-west.example.net"
        record.location = "dc-west/row-3/rack-17"
        record.netns = "host"
        record.netnsInode = 4_026_531_840
        record.label = "production"
        record.tag = "benchmark"
        record.timestampNs = 1_763_800_000_000_000_000
        record.pollSequence = 1
        record.netlinkerId = 1
    }
}
