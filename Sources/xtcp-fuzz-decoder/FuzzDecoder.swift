// A libFuzzer target over the netlink decoder and the envelope encoder.
// Built and run by scripts/fuzz.sh (-sanitize=fuzzer,address, seeded with
// every datagram of the xtcp2 captures). Built plainly, as `swift build`
// does, it is a replayer: `xtcp-fuzz-decoder FILE…` runs each file through
// the same function, which is how a crasher found by the fuzzer is re-run.
import Netlink
import RecordFmt

#if canImport(Glibc)
import Glibc
#endif

/// One input: a receive buffer of any bytes. The decoder must walk it
/// without reading past its end (AddressSanitizer watches the exact-size
/// copy), account for every socket it hands out, and every record it fills
/// must encode to the size the encoder promised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
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

/// The entry point. Under scripts/fuzz.sh (XTCP_LIBFUZZER) it hands over
/// to libFuzzer's driver: SwiftPM makes an executable's main its own, so
/// libFuzzer's main cannot be the one linked. Otherwise it replays inputs
/// (crashers, corpus files) through the fuzz function.
@main
enum FuzzDecoderMain {
    static func main() {
        #if XTCP_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzDecoder))
        #else
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            print("usage: xtcp-fuzz-decoder FILE...  (scripts/fuzz.sh builds it for fuzzing)")
            exit(2)
        }
        for path in paths {
            do {
                let bytes = try FileBytes.read(path: path)
                _ = bytes.withUnsafeBufferPointer { fuzzDecoder($0.baseAddress, $0.count) }
                print("\(path): ok (\(bytes.count) bytes)")
            } catch {
                print("\(path): \(error)")
                exit(1)
            }
        }
        #endif
    }
}

#if XTCP_LIBFUZZER
/// libFuzzer's driver (compiler-rt), linked by -sanitize=fuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
