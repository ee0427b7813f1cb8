// A libFuzzer target over the netlink decoder and the envelope encoder.
// Built and run by scripts/fuzz.sh (-sanitize=fuzzer,address, seeded with
// every datagram of the xtcp2 captures). Built plainly, as `swift build`
// does, it is a replayer: `xtcp-fuzz-decoder FILE…` runs each file through
// the same function, which is how a crasher found by the fuzzer is re-run;
// and `xtcp-fuzz-decoder -seed-corpus DIR CAPTURE…` writes the datagrams of
// captures (anything -replay reads) into DIR, one file each.
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
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "-seed-corpus", arguments.count >= 3 {
            seedCorpus(directory: arguments[1], captures: arguments.dropFirst(2))
            return
        }
        guard !arguments.isEmpty, !arguments[0].hasPrefix("-") else {
            print("usage: xtcp-fuzz-decoder FILE... | -seed-corpus DIR CAPTURE...  (scripts/fuzz.sh builds it for fuzzing)")
            exit(2)
        }
        for path in arguments {
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

/// Writes each datagram of the captures to `directory`, named by a hash of
/// its bytes so that reruns add nothing twice.
func seedCorpus(directory: String, captures: ArraySlice<String>) {
    var written = 0
    for path in captures {
        do {
            for datagram in try CaptureFile(path: path).datagrams {
                // FNV-1a: a stable name, not a security boundary.
                let hash = datagram.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
                let name = directory + "/" + String(hash, radix: 16)
                let file = fopen(name, "wb")
                guard let file else {
                    print("\(name): \(String(cString: strerror(errno)))")
                    exit(1)
                }
                _ = datagram.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                fclose(file)
                written += 1
            }
        } catch {
            print("\(error)")
            exit(1)
        }
    }
    print("\(written) datagrams from \(captures.count) captures in \(directory)")
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
