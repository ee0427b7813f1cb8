import Benchmark
import RecordFmt

/// Encode alone: real records of one dump appended as rows of one envelope,
/// as a netlinker appends them: in place (never copied: a copy of a record
/// retains and releases its 31 strings) and with the per-poll fields encoded
/// once (`EncodedPollFields`). "Encode_…_every_field" encodes all fields of
/// every row, for the ratio.
///
/// A netlinker encodes the record it has just decoded, hot in L1. A whole
/// capture's records (1,200 bytes each: 2 to 11 MB) would be read from L3
/// here and measure memory instead, so each iteration reads a window of 64
/// records (75 KB) into cache before the clock starts, then encodes them;
/// the window moves on through the capture from one iteration to the next.
func registerEncodeBenchmarks(_ fixture: CaptureFixture) {
    var window = RecordWindow(fixture.records)
    let pollFields = EncodedPollFields(of: fixture.records[0])
    var builder = EnvelopeBuilder(initialCapacity: 1 << 20)
    Benchmark(
        "Encode_\(fixture.name)",
        configuration: .with(XTCPMetric.nsPerRecord)
    ) { benchmark in
        window.touchNext()
        benchmark.measure(XTCPMetric.nsPerRecord) {
            window.appendNext(to: &builder) { $1.append($0, pollFields: pollFields) }
        }
        blackHole(builder.byteCount)
    }
    Benchmark(
        "Encode_\(fixture.name)_every_field",
        configuration: .with(XTCPMetric.nsPerRecord)
    ) { benchmark in
        window.touchNext()
        benchmark.measure(XTCPMetric.nsPerRecord) {
            window.appendNext(to: &builder) { $1.append($0) }
        }
        blackHole(builder.byteCount)
    }
}

/// A capture's records, handed out 64 at a time, round and round.
struct RecordWindow {
    static let size = 64
    var records: [FlatRecord]
    var start = 0

    init(_ records: [FlatRecord]) { self.records = records }

    /// Reads every cache line of the next window's records, as decoding a
    /// record leaves it in cache for the encoder.
    @inline(never)
    func touchNext() {
        let range = start..<min(start + Self.size, records.count)
        var sum: UInt8 = 0
        records.withUnsafeBytes { bytes in
            let stride = MemoryLayout<FlatRecord>.stride
            for offset in Swift.stride(from: range.lowerBound * stride, to: range.upperBound * stride, by: 64) {
                sum &+= bytes[offset]
            }
        }
        blackHole(sum)
    }

    /// Appends the next window of records where they lie (`inout` access to
    /// an element of a mutable buffer is its address, where a read,
    /// `records[i]`, would copy) to a fresh envelope. Returns how many.
    @inline(__always)
    mutating func appendNext(
        to builder: inout EnvelopeBuilder,
        _ append: (inout FlatRecord, inout EnvelopeBuilder) -> Void
    ) -> Int {
        builder.reset()
        let range = start..<min(start + Self.size, records.count)
        records.withUnsafeMutableBufferPointer { records in
            for index in range {
                append(&records[index], &builder)
            }
        }
        start = range.upperBound == records.count ? 0 : range.upperBound
        return range.count
    }
}
