import Benchmark
import Netlink
import RecordFmt

/// The netlinker's hot path as the daemon runs it: decode each socket from
/// the receive buffer and append it straight to the envelope, which is reset
/// when it reaches the default flush size (768 KiB), with the per-poll fields
/// encoded once (`EncodedPollFields`). The state lives across
/// iterations, so what is measured is the steady state: the mallocs of an
/// iteration are the mallocs of its sockets, and must be 0.
func registerPollPathBenchmark(_ fixture: CaptureFixture) {
    var path = PollPath()
    Benchmark(
        "Decode+encode_\(fixture.name)",
        configuration: .with(XTCPMetric.nsPerSocket)
    ) { benchmark in
        benchmark.measure(XTCPMetric.nsPerSocket) {
            path.run(fixture.buffers)
            return fixture.sockets
        }
        blackHole(path.builder.byteCount)
    }
}

/// One netlinker's decoder, record and envelope.
struct PollPath {
    var decoder = DumpDecoder(attributes: .all)
    var record = FlatRecord()
    var builder = EnvelopeBuilder(initialCapacity: 1 << 20)
    let pollFields: EncodedPollFields
    let flushBytes = 768 * 1024

    init() {
        CaptureFixture.stampPollFields(&record)
        pollFields = EncodedPollFields(of: record)
    }

    @inline(never)
    mutating func run(_ buffers: [UnsafeRawBufferPointer]) {
        for buffer in buffers {
            _ = decoder.decode(buffer, into: &record) { row in
                builder.append(row, pollFields: pollFields)
                if builder.byteCount >= flushBytes { builder.reset() }
            }
        }
    }
}
