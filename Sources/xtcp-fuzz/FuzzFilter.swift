// The `filter` fuzz target: `-filter`'s parser over any bytes as text; what
// parses is printed and parsed back (the same tree), compiled to bytecode,
// and evaluated on a record, as close events are.
import Netlink
import RecordFmt

func fuzzFilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    guard let filter = try? SocketFilter(parsing: text) else { return 0 }
    let reparsed = try? SocketFilter(parsing: filter.description)
    if reparsed != filter {
        fatalError("'\(text)' prints as '\(filter)', which parses as \(String(describing: reparsed))")
    }
    if let program = try? FilterBytecode.compile(filter), program.isEmpty || program.count % 4 != 0 {
        fatalError("'\(text)' compiled to \(program.count) bytes")
    }
    var record = FlatRecord()
    record.inetDiagMsgSocketSourcePort = 443
    record.inetDiagMsgSocketSource = InetAddressBytes([127, 0, 0, 1])!
    _ = filter.matches(record)
    return 0
}

/// Seeds for `filter`: expressions of every kind the parser takes.
let filterSeeds = [
    "sport = :80", "dport != 443", "sport >= :8080 and dport < :1024", "sport eq 22 dport gt 40000",
    "( src 127.0.0.1 or dst 127.1.2.3 ) and not dport = :22", "! ( sport = :22 || sport = :80 )",
    "src 10.0.0.0/8:443", "dst [::1]:443", "src fd00::/16", "dst [fd00::2]/64:80", "src *:9000", "src != 127.0.0.1",
    "sport = 1 or (dport < 2 and src 10.0.0.0/8)", "not not sport = :1",
]
