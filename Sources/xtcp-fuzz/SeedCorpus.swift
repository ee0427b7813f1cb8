import Netlink
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// Writes seeds for `target` into `directory`, each named by a hash of its
/// bytes so that reruns add nothing twice: for `decoder` every datagram of
/// the captures; for `capture` those too (each is an `ss -D` stream) and
/// the pcap files themselves, cut to `captureSeedBytes` (the fuzzer mutates
/// the first records; whole multi-megabyte files would slow every run);
/// for `filter` and `http` a list of expressions or requests, not the captures.
func seedCorpus(target: FuzzTarget, directory: String, captures: ArraySlice<String>) {
    var written = 0
    if target == .filter || target == .http {
        let seeds = target == .filter ? filterSeeds : httpSeeds
        do {
            for text in seeds { try writeSeed(Array(text.utf8), to: directory) }
        } catch {
            print("\(error)")
            exit(1)
        }
        print("\(seeds.count) seeds in \(directory)")
        return
    }
    for path in captures {
        do {
            for datagram in try CaptureFile(path: path).datagrams {
                try writeSeed(Array(datagram), to: directory)
                written += 1
            }
            if target == .capture {
                try writeSeed(Array(try FileBytes.read(path: path).prefix(FuzzTarget.captureSeedBytes)), to: directory)
                try writeSeed(Array(try pcapng(of: path).prefix(FuzzTarget.captureSeedBytes)), to: directory)
                written += 2
            }
        } catch {
            print("\(error)")
            exit(1)
        }
    }
    print("\(written) seeds from \(captures.count) captures in \(directory)")
}

struct SeedWriteError: Error, CustomStringConvertible {
    var description: String
}

private func writeSeed(_ bytes: [UInt8], to directory: String) throws {
    // FNV-1a: a stable name, not a security boundary.
    let hash = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    let name = directory + "/" + String(hash, radix: 16)
    guard let file = fopen(name, "wb") else { throw SeedWriteError(description: "\(name): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
}

/// The capture at `path` as `xtcp -capture` would write it (pcapng, with a
/// kernel release in its section header): a seed of the pcapng reader.
func pcapng(of path: String) throws -> [UInt8] {
    let copy = "/tmp/xtcp-fuzz-seed-\(getpid()).pcapng"
    defer { unlink(copy) }
    let writer = try PcapngWriter(path: copy, release: KernelRelease("7.0.3"), application: "xtcp-fuzz seeds")
    for datagram in try CaptureFile(path: path).datagrams {
        try datagram.withUnsafeBytes { raw in try writer.write(datagram: raw, outgoing: false, timestampNanoseconds: 1) }
    }
    return try FileBytes.read(path: copy)
}
