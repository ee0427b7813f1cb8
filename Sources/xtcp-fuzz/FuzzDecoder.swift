// The `decoder` fuzz target: the netlink decoder and the envelope encoder
// over one receive buffer of any bytes.
import Netlink
import RecordFmt

#if canImport(Glibc)
import Glibc
#endif

/// One input: a receive buffer of any bytes. The decoder must walk it
/// without reading past its end (AddressSanitizer watches the exact-size
/// copy), account for every socket it hands out, and every record it fills
/// must encode to the size the encoder promised.
func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // An exact-size heap copy: libFuzzer's own buffer may have slack after it.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { buffer.deallocate() }
    if let data, size > 0 { buffer.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }

    var decoder = DumpDecoder(attributes: .all)
    var record = FlatRecord()
    var builder = EnvelopeBuilder(initialCapacity: 4096)
    defer { builder.deallocate() }
    var sockets: UInt64 = 0
    _ = decoder.decode(UnsafeRawBufferPointer(buffer), into: &record) { row in
        sockets += 1
        let before = builder.byteCount
        builder.append(row)
        let rowBody = row.encodedSize()
        let framed = 1 + ProtoWriter.varintSize(UInt64(rowBody)) + rowBody
        if builder.byteCount - before != framed || rowBody > row.maxEncodedSize {
            fatalError("row encoded to \(builder.byteCount - before) bytes, expected \(framed) (max \(row.maxEncodedSize))")
        }
    }
    if decoder.stats.sockets != sockets {
        fatalError("decoder counted \(decoder.stats.sockets) sockets, handed out \(sockets)")
    }
    return 0
}

/// libFuzzer's runtime library expects this symbol at link time; the
/// driver is handed the target's function instead (FuzzMain).
@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzDecoder(data, size) }
