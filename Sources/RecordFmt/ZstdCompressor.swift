import CZstd

/// One zstd compression context, reused: Parquet's pages and S3's
/// protobufList objects. Not shared across threads (one per marshaller,
/// one per uploader).
public final class ZstdCompressor {
    private let context: OpaquePointer
    /// zstd's level: 1, its fastest, costs a netlinker least; the objects
    /// are still a fraction of their plain size (docs/performance.md).
    public let level: Int32

    public init(level: Int32 = 1) {
        // ZSTD_createCCtx fails only when malloc does.
        context = ZSTD_createCCtx()!
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// `input` compressed, appended to `output` (one zstd frame).
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compressCCtx(context, out.baseAddress! + start, bound, input.baseAddress, input.count, level)
        }
        // With a bound-sized output the only failure is memory, which
        // ZSTD_createCCtx already had.
        precondition(ZSTD_isError(written) == 0, "zstd: \(String(cString: ZSTD_getErrorName(written)))")
        output.removeLast(bound - written)
    }
}
