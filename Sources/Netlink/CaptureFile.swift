import Platform

/// A whole capture in memory: every datagram `CaptureReader` hands on,
/// copied, for the tests and the fuzzer, which look at them more than once.
/// `-replay` reads with `CaptureReader` itself, in bounded memory.
public struct CaptureFile {
    public typealias Format = CaptureReader.Format
    public typealias Error = CaptureReader.Error

    public let format: Format
    /// The netlink datagrams, in capture order (requests included: the
    /// decoder recognises and skips them).
    public let datagrams: [ArraySlice<UInt8>]
    /// When each datagram was captured, in ns since the epoch (0 when the
    /// format records no time, as with `ss -D`).
    public let timestampsNs: [Int64]
    /// Bytes at the end that do not make a whole record.
    public let trailingBytes: Int
    /// The kernel release the capture records (a pcapng's shb_os).
    public let kernelRelease: KernelRelease?

    public init(path: String) throws(Error) {
        var reader = try CaptureReader(path: path)
        try self.init(&reader)
    }

    public init(bytes: [UInt8], path: String = "capture") throws(Error) {
        var reader = try CaptureReader(bytes: bytes, path: path)
        try self.init(&reader)
    }

    private init(_ reader: inout CaptureReader) throws(Error) {
        var datagrams: [ArraySlice<UInt8>] = []
        var timestamps: [Int64] = []
        try reader.forEachDatagram { bytes, timestamp in
            datagrams.append(ArraySlice(bytes))
            timestamps.append(timestamp)
        }
        format = reader.format
        self.datagrams = datagrams
        timestampsNs = timestamps
        trailingBytes = reader.trailingBytes
        kernelRelease = reader.kernelRelease
    }
}
