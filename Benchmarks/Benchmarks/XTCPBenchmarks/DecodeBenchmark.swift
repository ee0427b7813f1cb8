import Benchmark
import Netlink
import RecordFmt

/// Decode alone: every reply buffer of one 1000-socket dump walked into one
/// reusable record, with the lightest consumer that keeps the work alive.
func registerDecodeBenchmark(_ fixture: CaptureFixture) {
    var decoder = DumpDecoder(attributes: .all)
    var record = FlatRecord()
    CaptureFixture.stampPollFields(&record)
    Benchmark(
        "Decode_\(fixture.name)",
        configuration: .with(XTCPMetric.nsPerSocket)
    ) { benchmark in
        benchmark.measure(XTCPMetric.nsPerSocket) {
            blackHole(decodeAll(fixture.buffers, with: &decoder, into: &record))
            return fixture.sockets
        }
    }
}

@inline(never)
func decodeAll(_ buffers: [UnsafeRawBufferPointer], with decoder: inout DumpDecoder, into record: inout FlatRecord) -> UInt64 {
    var checksum: UInt64 = 0
    for buffer in buffers {
        _ = decoder.decode(buffer, into: &record) { checksum &+= $0.tcpInfoBytesReceived }
    }
    return checksum
}
