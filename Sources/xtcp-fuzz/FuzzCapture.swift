// The `capture` fuzz target: the -replay reader (LINKTYPE_NETLINK pcap or
// `ss -D` stream) over a whole file of any bytes, then the decoder over
// every datagram it yields, as -replay does.
import Netlink
import RecordFmt

func fuzzCapture(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let capture = try? CaptureFile(bytes: bytes) else { return 0 }
    if capture.datagrams.count != capture.timestampsNs.count || !(0...size).contains(capture.trailingBytes) {
        fatalError("\(capture.datagrams.count) datagrams, \(capture.timestampsNs.count) timestamps, \(capture.trailingBytes) trailing of \(size)")
    }
    var decoder = DumpDecoder(attributes: .all)
    var record = FlatRecord()
    var sockets: UInt64 = 0
    for datagram in capture.datagrams {
        // An exact-size copy, as the decoder target does: ASan sees a read past it.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: datagram.count, alignment: 1)
        defer { buffer.deallocate() }
        datagram.withUnsafeBytes { buffer.copyMemory(from: $0) }
        _ = decoder.decode(UnsafeRawBufferPointer(buffer), into: &record) { _ in sockets += 1 }
    }
    if decoder.stats.sockets != sockets {
        fatalError("decoder counted \(decoder.stats.sockets) sockets, handed out \(sockets)")
    }
    return 0
}
