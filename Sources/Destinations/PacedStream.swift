import Platform
#if canImport(Glibc)
import Glibc
#endif

/// An output whose reader sets the pace (a pipe, a FIFO, a terminal, a
/// stream socket), written so that no reader can hold a poll past its
/// deadline and the stream stays whole batches.
///
/// A batch waits for room until the poll's deadline (else `patience`). One
/// that could not begin by then is dropped (`stalled`); once one was, the
/// next ones do not wait until the reader takes one again. One that began
/// and could not end keeps its unwritten end here (a copy, the one
/// allocation of this path) and is `queued`: the end is written before any
/// other batch begins, and the batch counted delivered then (a late count),
/// or dropped if the reader never comes back before xtcp closes it. A
/// reader gone for good (EPIPE) ends the stream.
struct PacedStream {
    let name: String
    let descriptor: Int32
    let method: BoundedWrite.Method
    let patience: Duration
    private var stalled = false
    private var tail: [UInt8] = []
    private var tailRows = 0
    /// Why the stream can take nothing more; nil while it can.
    private(set) var ended: String?
    private var late = DeliveryCounts()

    init(name: String, descriptor: Int32, method: BoundedWrite.Method, patience: Duration) {
        self.name = name
        self.descriptor = descriptor
        self.method = method
        self.patience = patience
    }

    mutating func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        if let ended { throw DestinationDrop(reason: .writeError, detail: ended) }
        let start: ContinuousClock.Instant = .now
        let limit = stalled ? start : deadline ?? start + patience
        do {
            guard try finishTail(until: limit) else {
                stalled = true
                throw DestinationDrop(reason: .stalled, detail: "\(name): its reader is stalled with a batch half read")
            }
            let written = try BoundedWrite.write(descriptor: descriptor, bytes: batch, method: method, until: limit)
            if written == batch.count {
                stalled = false
                return .delivered
            }
            stalled = true
            guard written > 0 else {
                throw DestinationDrop(reason: .stalled, detail: "\(name): its reader took nothing for \((ContinuousClock.now - start).roundedMilliseconds) ms")
            }
            tail = Array(UnsafeRawBufferPointer(rebasing: batch[written...]))
            tailRows = rows
            return .queued
        } catch let error as SystemError {
            if error.errno == EPIPE {
                ended = "\(name): its reader has gone (EPIPE): nothing more can be written"
                dropTail(.writeError)
            }
            throw DestinationError(what: "write to \(name)", errno: error.errno)
        }
    }

    /// Writes the end of a batch begun earlier; whether none is left.
    private mutating func finishTail(until limit: ContinuousClock.Instant) throws(SystemError) -> Bool {
        guard !tail.isEmpty else { return true }
        let written = try tail.withUnsafeBytes { bytes in
            Result { () throws(SystemError) in try BoundedWrite.write(descriptor: descriptor, bytes: bytes, method: method, until: limit) }
        }.get()
        tail.removeFirst(written)
        guard tail.isEmpty else { return false }
        late.delivered += 1
        return true
    }

    private mutating func dropTail(_ reason: DropReason) {
        guard !tail.isEmpty else { return }
        late.dropped(reason, rows: tailRows)
        tail = []
    }

    /// At close (or reopen): a batch still half written has `patience` to
    /// be finished, else it is dropped.
    mutating func finish() {
        if (try? finishTail(until: .now + patience)) != true { dropTail(.stalled) }
    }

    /// Deliveries and drops of batches that were `queued`, since the last call.
    mutating func takeLate() -> DeliveryCounts {
        defer { late = DeliveryCounts() }
        return late
    }
}
