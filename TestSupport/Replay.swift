import Netlink
import RecordFmt

/// Decodes every socket of a capture file into records.
public enum Replay {
    public static func records(path: String, attributes: DiagAttributeSet = .all) throws -> (records: [FlatRecord], stats: DecodeStats) {
        let runs = try recordsByRun(path: path, attributes: attributes)
        return (runs.flatMap(\.records), runs.reduce(into: DecodeStats()) { $0 += $1.stats })
    }

    /// Records grouped by the netlink port id the replies were sent to: a
    /// capture of several `ss` runs (each its own process and port) gives
    /// one group per run, in capture order.
    public static func recordsByRun(path: String, attributes: DiagAttributeSet = .all) throws -> [(port: UInt32, records: [FlatRecord], stats: DecodeStats)] {
        let capture = try CaptureFile(path: path)
        // The release the capture records says how its tcp_info is laid
        // out; xtcp2's pcaps record none and hold 6.18's at the newest.
        let layout = capture.kernelRelease.map(TCPInfoLayout.init(release:)) ?? .accecnHalves
        var runs: [(port: UInt32, records: [FlatRecord], stats: DecodeStats)] = []
        var record = FlatRecord()
        for datagram in capture.datagrams {
            let (flags, port): (UInt16, UInt32) = datagram.withUnsafeBytes {
                $0.count >= 16 ? ($0.loadUnaligned(fromByteOffset: 6, as: UInt16.self), $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) : (0, 0)
            }
            if flags & 1 != 0 { continue }  // a request (NLM_F_REQUEST)
            if runs.last?.port != port { runs.append((port, [], DecodeStats())) }
            var decoder = DumpDecoder(attributes: attributes, tcpInfoLayout: layout)
            var decoded: [FlatRecord] = []
            _ = datagram.withUnsafeBytes { decoder.decode($0, into: &record) { decoded.append($0) } }
            runs[runs.count - 1].records += decoded
            runs[runs.count - 1].stats += decoder.stats
        }
        return runs
    }

    /// Matches decoded records with ss's sockets by cookie and compares every
    /// value ss printed. Returns problems (empty when all agree).
    public static func compareWithSS(records: [FlatRecord], ssText: String) -> (problems: [String], matched: Int, checked: Int) {
        let sockets = SSOutput.parse(ssText)
        var byCookie: [UInt64: FlatRecord] = [:]
        var problems: [String] = []
        for r in records {
            if byCookie.updateValue(r, forKey: r.inetDiagMsgSocketCookie) != nil {
                problems.append("cookie \(r.inetDiagMsgSocketCookie) decoded twice")
            }
        }
        var matched = 0
        var checked = 0
        var seen = Set<UInt64>()
        for s in sockets {
            guard let cookie = s.cookie else {
                problems.append("ss socket without sk: \(s.local) \(s.peer)")
                continue
            }
            guard let r = byCookie[cookie] else {
                problems.append("ss socket sk:\(String(cookie, radix: 16)) \(s.state) \(s.local)->\(s.peer) not decoded")
                continue
            }
            seen.insert(cookie)
            matched += 1
            for m in SSComparison.mismatches(r, s, checked: &checked) {
                problems.append("sk:\(String(cookie, radix: 16)) \(s.state) \(s.local.host):\(s.local.port): \(m)")
            }
        }
        for r in records where !seen.contains(r.inetDiagMsgSocketCookie) {
            problems.append("decoded socket sk:\(String(r.inetDiagMsgSocketCookie, radix: 16)) not in ss output")
        }
        return (problems, matched, checked)
    }
}
