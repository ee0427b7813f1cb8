import Netlink
import RecordFmt

/// `xtcp -replay FILE`: decodes every socket of a recorded dump (pcap or
/// `ss -D` file) as if it had just been polled, and writes the records.
public struct ReplayRunner {
    public var identity: RecordIdentity
    public var attributes: DiagAttributeSet

    public init(identity: RecordIdentity, attributes: DiagAttributeSet) {
        self.identity = identity
        self.attributes = attributes
    }

    public struct Summary: Sendable {
        public var format: CaptureFile.Format
        public var decode: DecodeStats
        public var pipeline: PollCounts
        public var trailingBytes: Int
    }

    public func run(path: String, into pipeline: BatchPipeline) throws -> Summary {
        let capture = try CaptureFile(path: path)
        var decoder = DumpDecoder(attributes: attributes)
        var record = FlatRecord()
        identity.stamp(&record)
        var counter: UInt64 = 0
        var dump: UInt64 = 1
        for (index, datagram) in capture.datagrams.enumerated() {
            record.timestampNs = capture.timestampsNs[index]
            record.pollSequence = dump
            let progress = datagram.withUnsafeBytes { bytes in
                decoder.decode(bytes, into: &record) { r in
                    counter &+= 1
                    r.recordCounter = counter
                    pipeline.append(r)
                }
            }
            if progress != .more { dump &+= 1 }
        }
        try pipeline.finish()
        return Summary(format: capture.format, decode: decoder.stats, pipeline: pipeline.counts, trailingBytes: capture.trailingBytes)
    }
}
