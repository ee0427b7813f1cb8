import RecordFmt

/// Records in, batches out: appends each record to the marshaller and hands
/// a batch to the destination when it reaches `-envelopeFlushRows` rows or
/// `-envelopeFlushBytes` bytes, and at `finish()`. Counts what it did.
public final class BatchPipeline {
    public struct Counts: Sendable, Equatable {
        public var records: UInt64 = 0
        public var batches: UInt64 = 0
        public var bytes: UInt64 = 0
        public var flushedByRows: UInt64 = 0
        public var flushedByBytes: UInt64 = 0
        public var flushedAtEnd: UInt64 = 0
    }

    let marshaller: any Marshaller
    let destination: any Destination
    let flushRows: Int
    let flushBytes: Int
    public private(set) var counts = Counts()

    public init(marshaller: any Marshaller, destination: any Destination, flushRows: Int, flushBytes: Int) {
        self.marshaller = marshaller
        self.destination = destination
        self.flushRows = flushRows
        self.flushBytes = flushBytes
    }

    public func append(_ record: borrowing FlatRecord) throws {
        marshaller.append(record)
        counts.records &+= 1
        if marshaller.rowCount >= flushRows {
            counts.flushedByRows &+= 1
            try flush()
        } else if marshaller.byteCount >= flushBytes {
            counts.flushedByBytes &+= 1
            try flush()
        }
    }

    /// Flushes what is left (the end of a dump).
    public func finish() throws {
        guard marshaller.rowCount > 0 else { return }
        counts.flushedAtEnd &+= 1
        try flush()
    }

    func flush() throws {
        let size = marshaller.byteCount
        try marshaller.withBatch { try destination.write($0) }
        counts.batches &+= 1
        counts.bytes &+= UInt64(size)
        marshaller.reset()
    }
}
