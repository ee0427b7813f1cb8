import RecordFmt

/// Records in, batches out: appends each record to the marshaller and hands
/// a batch to the destination when it reaches `-envelopeFlushRows` rows or
/// `-envelopeFlushBytes` bytes, and when told (end of a dump, shutdown,
/// timeout). Counts what it did. One per dump session: not shared across
/// threads; the destination is.
public final class BatchPipeline {
    let marshaller: any Marshaller
    let destination: any Destination
    let flushRows: Int
    let flushBytes: Int
    public private(set) var counts = DeliveryCounts()
    /// The last write error, for the poll's log line; the envelope it lost
    /// is counted in `counts.droppedEnvelopes`.
    public private(set) var lastWriteError: (any Error)?
    /// The poll's deadline, past which no write may wait (nil: none set).
    public var deadline: ContinuousClock.Instant?

    /// Set when envelopes can be lent to the destination instead of copied:
    /// a marshaller that lends its buffer and a destination that borrows.
    private let lending: (lender: any EnvelopeLending, borrower: any EnvelopeBorrowing)?

    /// The live record stream, and where this pipeline's envelopes come
    /// from (polls or close events); nil: none.
    private let stream: (hub: RecordStream, source: RecordStream.Source)?
    /// Whether the stream has clients, read at each flush and poll (not
    /// per row): rows are copied for it only then.
    private var streaming = false
    /// The stream's envelopes when `-marshal` is not protobufList: the
    /// stream always carries records as protobuf.
    private let streamCopy: ProtobufListMarshaller?

    public init(marshaller: any Marshaller, destination: any Destination, flushRows: Int, flushBytes: Int,
                stream: RecordStream? = nil, from source: RecordStream.Source = .poll) {
        self.marshaller = marshaller
        self.destination = destination
        self.stream = stream.map { ($0, source) }
        streamCopy = stream != nil && marshaller.format != .protobufList ? ProtobufListMarshaller(initialCapacity: 1 << 16) : nil
        // Decided once, here: both sides must take part.
        if let lender = marshaller as? any EnvelopeLending, let borrower = destination as? any EnvelopeBorrowing {
            lending = (lender, borrower)
        } else {
            lending = nil
        }
        self.flushRows = flushRows
        self.flushBytes = flushBytes
    }

    /// The per-poll fields of the rows to come, encoded once (set per dump
    /// by the dump session); nil encodes every field of every row.
    public var pollFields: EncodedPollFields? {
        get { marshaller.pollFields }
        set {
            marshaller.pollFields = newValue
            streamCopy?.pollFields = newValue
        }
    }

    /// The socket owner's fields of the rows to come, encoded once per
    /// owner (set by the dump session when a row's owner is not the last
    /// row's).
    public var ownerFields: EncodedOwnerFields {
        get { marshaller.ownerFields }
        set {
            marshaller.ownerFields = newValue
            streamCopy?.ownerFields = newValue
        }
    }

    /// Looks again whether the record stream has clients (each poll, and
    /// each second of close events; each flush looks too).
    public func refreshStreaming() {
        let now = stream?.hub.hasClients ?? false
        // A copy begun mid-batch would hold only the batch's later rows.
        if now, !streaming { streamCopy?.reset() }
        streaming = now
    }

    /// Appends one row, flushing when the batch is full. A failed write is
    /// counted and remembered, never thrown: the next rows go on. Rows are
    /// counted when their batch is flushed, not here: the hot path keeps to
    /// the marshaller.
    public func append(_ record: borrowing FlatRecord) {
        marshaller.append(record)
        if streaming, let streamCopy { streamCopy.append(record) }
        if marshaller.rowCount >= flushRows {
            flush(.rows)
        } else if marshaller.byteCount >= flushBytes {
            flush(.bytes)
        }
    }

    /// Hands over what the batch holds, if anything.
    public func flush(_ reason: FlushReason) {
        let rows = marshaller.rowCount
        guard rows > 0 else { return }
        defer {
            marshaller.reset()
            refreshStreaming()
        }
        if streaming, let stream { publish(to: stream.hub, from: stream.source, rows: rows) }
        let size = marshaller.byteCount
        counts.records += UInt64(rows)
        counts.flushed(reason, bytes: size)
        do {
            let outcome: WriteOutcome
            if let lending, size * 2 >= lending.lender.bufferCapacity {
                // Lend the buffer, continue in one from the pool.
                let replacement = lending.borrower.envelopePool.take()
                let envelope = lending.lender.detach(replacingWith: replacement.pointer, capacity: replacement.capacity)
                outcome = try lending.borrower.send(envelope)
            } else {
                outcome = try marshaller.withBatch { try destination.write($0, rows: rows, by: deadline) }
            }
            switch outcome {
            case .delivered: counts.delivered += 1
            case .queued: counts.queued += 1
            }
        } catch let drop as DestinationDrop {
            counts.dropped(drop.reason, rows: rows)
            lastWriteError = drop
        } catch {
            counts.dropped(.writeError, rows: rows)
            lastWriteError = error
        }
    }

    /// The batch, as protobuf, to the stream's clients: before it goes to
    /// the destination (Kafka takes its buffer).
    private func publish(to hub: RecordStream, from source: RecordStream.Source, rows: Int) {
        if let streamCopy {
            if streamCopy.rowCount > 0 { streamCopy.withBatch { hub.publish(frame: $0, rows: streamCopy.rowCount, from: source) } }
            streamCopy.reset()
        } else {
            marshaller.withBatch { hub.publish(frame: $0, rows: rows, from: source) }
        }
    }

    /// Flushes what is left (`timeout` when a dump was cut short) and takes
    /// the counts and the last write error since the last call: a session's
    /// per-poll accounting.
    public func take(flushing reason: FlushReason) -> (counts: DeliveryCounts, writeError: (any Error)?) {
        flush(reason)
        defer {
            counts = DeliveryCounts()
            lastWriteError = nil
        }
        return (counts, lastWriteError)
    }
}
