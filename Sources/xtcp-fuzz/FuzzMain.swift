// xtcp's libFuzzer targets, one executable: `xtcp-fuzz TARGET …` with
// TARGET `decoder` (netlink decoder and envelope encoder over a receive
// buffer), `capture` (the -replay file reader, then the decoder), `filter`
// (the -filter parser, compiler and evaluator) or `http` (the HTTP
// listener's request-head and query parsers).
//
// Built by scripts/fuzz.sh with -sanitize=fuzzer,address (XTCP_LIBFUZZER),
// the rest of the arguments go to libFuzzer. Built plainly, as `swift
// build` does, it replays: `xtcp-fuzz TARGET FILE…` runs each file through
// the target (how a crasher is re-run), and `xtcp-fuzz TARGET -seed-corpus
// DIR CAPTURE…` writes the target's seeds from captures.
import Netlink
import Platform

#if canImport(Glibc)
import Glibc
#endif

enum FuzzTarget: String, CaseIterable {
    case decoder, capture, filter, http

    static let captureSeedBytes = 16384

    var function: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt {
        switch self {
        case .decoder: fuzzDecoder
        case .capture: fuzzCapture
        case .filter: fuzzFilter
        case .http: fuzzHTTP
        }
    }
}

@main
enum FuzzMain {
    static func main() {
        let usage = "usage: xtcp-fuzz decoder|capture|filter|http FILE... | xtcp-fuzz decoder|capture|filter|http -seed-corpus DIR CAPTURE...  (scripts/fuzz.sh builds it for fuzzing)"
        guard CommandLine.arguments.count >= 2, let target = FuzzTarget(rawValue: CommandLine.arguments[1]) else {
            print(usage)
            exit(2)
        }
        #if XTCP_LIBFUZZER
        // libFuzzer's own argv: the program, then what follows the target.
        var arguments: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]]
        arguments += (2..<Int(CommandLine.argc)).map { CommandLine.unsafeArgv[$0] }
        arguments.append(nil)
        var argc = CInt(arguments.count - 1)
        exit(arguments.withUnsafeMutableBufferPointer { buffer in
            var argv = buffer.baseAddress!
            return LLVMFuzzerRunDriver(&argc, &argv, target.function)
        })
        #else
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        if arguments.first == "-seed-corpus", arguments.count >= 3 {
            seedCorpus(target: target, directory: arguments[1], captures: arguments.dropFirst(2))
            return
        }
        guard !arguments.isEmpty, !arguments[0].hasPrefix("-") else {
            print(usage)
            exit(2)
        }
        for path in arguments {
            do {
                let bytes = try FileBytes.read(path: path)
                _ = bytes.withUnsafeBufferPointer { target.function($0.baseAddress, $0.count) }
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
