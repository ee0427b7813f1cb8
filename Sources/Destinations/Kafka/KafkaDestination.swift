import Platform
import RecordFmt
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `kafka:HOST:PORT[,…]`: one envelope per Kafka message, through an
/// idempotent librdkafka producer.
///
/// - Envelopes at least half the size of their buffer are lent to
///   librdkafka without a copy; the buffer goes back to `envelopePool` when
///   the delivery report arrives. Smaller ones (the tail of a dump) are
///   copied, so a lent buffer is never mostly empty and memory stays within
///   twice `-kafkaQueueKBytes`.
/// - Delivery reports are served by a dedicated thread (`xtcp-kafka`):
///   netlinkers never call into librdkafka but to produce.
/// - A full queue is backpressure: the producing netlinker waits up to
///   `-kafkaQueueFullWait`, then the envelope is dropped and counted.
/// - Every envelope handed over ends counted once: delivered, or dropped as
///   `queue full`, `delivery failed`, `unconfirmed` (timed out in flight:
///   the broker may have it) or `shutdown`.
public final class KafkaDestination: EnvelopeBorrowing, @unchecked Sendable {  // mutable state is behind Mutexes
    let settings: KafkaSettings
    public let envelopePool: EnvelopePool
    private var producer: KafkaProducer!
    private var pollThread: OSThread?
    private let polling = Atomic<Bool>(true)
    private let inFlight = Mutex(InFlightTable())
    private let late = Mutex(DeliveryCounts())
    private let problems = Mutex(ProblemLog())
    /// Errors by where they came from (`delivery`: a message's report;
    /// `client`: librdkafka's error callback; `produce`: a refused
    /// produce) and librdkafka's code name (`_MSG_TIMED_OUT`).
    private let errors = Mutex([KafkaErrorKey: UInt64]())
    private let lentCount = Atomic<Int>(0)
    private let copiedCount = Atomic<Int>(0)
    /// Set when a queue-full wait ran out; cleared when a produce succeeds.
    private let saturated = Atomic<Bool>(false)
    /// A broker has answered: the start's metadata request, or a delivery.
    private let brokerAnswered = Atomic<Bool>(false)

    init(brokers: String, settings: KafkaSettings) throws {
        self.settings = settings
        // Idle buffers kept: enough for every envelope the queue can hold.
        envelopePool = EnvelopePool(
            capacity: settings.envelopeCapacity,
            keep: max(4, settings.queueKBytes * 1024 / max(1, settings.envelopeCapacity / 2)))
        let listed = BrokerProbe.brokers(brokers)
        // A name that resolves nowhere is a typo: said at once. (With
        // -kafkaStartTimeout 0s a host may boot before its brokers' names
        // exist: not checked.)
        if settings.startTimeout > .zero, let why = BrokerProbe.unresolvable(listed) {
            throw DestinationUnavailable(description: "cannot reach a Kafka broker at \(brokers): \(why)")
        }
        producer = try KafkaProducer(
            properties: settings.librdkafkaProperties(brokers: brokers), topic: settings.topic, events: self)
        // -kafkaStartTimeout 0s: no check; polling starts and envelopes wait
        // in the queue (or are dropped and counted) until a broker answers.
        if settings.startTimeout > .zero {
            if let why = producer.reachBroker(timeoutMilliseconds: Int32(settings.startTimeout.milliseconds)) {
                producer.destroy()
                let diagnosis = BrokerProbe.diagnose(listed, waited: settings.startTimeout) ?? why
                throw DestinationUnavailable(description: "cannot reach a Kafka broker at \(brokers) within \(settings.startTimeout.goSpelling): \(diagnosis)")
            }
            brokerAnswered.store(true, ordering: .relaxed)
        }
        _ = problems.withLock { $0.take() }  // connection noise from the reachability check
        pollThread = try OSThread(name: "xtcp-kafka") { [self] in
            while polling.load(ordering: .relaxed) { producer.poll(milliseconds: 100) }
        }
    }

    // MARK: Destination

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try produce(batch, rows: rows, lent: nil)
    }

    public func send(_ envelope: DetachedEnvelope) throws -> WriteOutcome {
        try produce(envelope.frame, rows: envelope.rows, lent: envelope)
    }

    public func takeLateCounts() -> DeliveryCounts {
        late.withLock { counts in
            defer { counts = DeliveryCounts() }
            return counts
        }
    }

    public func takeProblems() -> [String] { problems.withLock { $0.take() } }

    public var unready: String? {
        brokerAnswered.load(ordering: .relaxed) ? nil : "no Kafka broker has answered yet (\(queueLength) envelopes wait in the queue)"
    }

    /// Envelopes librdkafka holds (queued or in flight).
    public var queueLength: Int { producer.queueLength }

    public var metrics: [MetricFamily] {
        let pool = envelopePool.stats
        let errors = errors.withLock { $0 }.sorted { ($0.key.source, $0.key.code) < ($1.key.source, $1.key.code) }
        return [
            MetricFamily(name: "xtcp_kafka_errors_total", kind: .counter,
                         help: "Kafka errors by source (delivery report, client, produce) and librdkafka code.",
                         samples: errors.map { .init(labels: [("source", $0.key.source), ("code", $0.key.code)], value: Double($0.value)) }),
            MetricFamily(name: "xtcp_kafka_queue_messages", kind: .gauge, help: "Envelopes in librdkafka's queue, not yet acknowledged.",
                         value: Double(queueLength)),
            MetricFamily(name: "xtcp_kafka_queue_bytes", kind: .gauge, help: "Bytes of the envelopes in librdkafka's queue, not yet acknowledged.",
                         value: Double(inFlight.withLock { $0.bytes })),
            MetricFamily(name: "xtcp_kafka_queue_max_bytes", kind: .gauge,
                         help: "The queue's bound (queue.buffering.max.kbytes: -kafkaQueueKBytes or a -kafkaProperty); a full queue drops envelopes.",
                         value: Double(settings.effectiveQueueKBytes * 1024)),
            MetricFamily(name: "xtcp_envelope_pool_idle_buffers", kind: .gauge, help: "Envelope buffers idle in the pool.", value: Double(pool.idle)),
            MetricFamily(name: "xtcp_envelope_pool_takes_total", kind: .counter, help: "Envelope buffers taken from the pool.", value: Double(pool.taken)),
            MetricFamily(name: "xtcp_envelope_pool_misses_total", kind: .counter, help: "Takes that found the pool empty and allocated.",
                         value: Double(pool.misses)),
            MetricFamily(name: "xtcp_envelope_pool_freed_total", kind: .counter, help: "Buffers given back beyond the pool's bound, freed.",
                         value: Double(pool.freed)),
        ]
    }

    public func close() throws {
        let delivered = producer.flush(milliseconds: Int32(settings.flushTimeout.milliseconds))
        if !delivered {
            // What the broker did not take in time is dropped as `shutdown`
            // by its delivery report.
            producer.purge()
            _ = producer.flush(milliseconds: 1000)
        }
        polling.store(false, ordering: .relaxed)
        pollThread?.join()
        producer.poll(milliseconds: 0)
        producer.destroy()
        // Reports of envelopes librdkafka never answered (none expected
        // after a purge) would be lost: count them as dropped here.
        let orphans = inFlight.withLock { $0.removeAll() }
        for entry in orphans {
            if let buffer = entry.lent { envelopePool.give(buffer) }
            late.withLock { $0.dropped(.shutdown, rows: entry.rows) }
        }
        do {
            let pool = envelopePool.stats
            problem("kafka: \(lentCount.load(ordering: .relaxed)) envelopes lent without a copy, "
                + "\(copiedCount.load(ordering: .relaxed)) copied; envelope buffers allocated \(pool.misses), reused \(pool.taken - pool.misses)")
        }
    }

    // MARK: Producing

    private func produce(_ frame: UnsafeRawBufferPointer, rows: Int, lent: DetachedEnvelope?) throws -> WriteOutcome {
        let slot = inFlight.withLock { $0.insert(InFlightEnvelope(rows: rows, bytes: frame.count, lent: lent)) }
        // The slot number, not a pointer: the report finds the entry by it.
        let opaque = UnsafeMutableRawPointer(bitPattern: slot + 1)
        let clock = ContinuousClock()
        let giveUp = clock.now + settings.queueFullWait
        while true {
            switch producer.produce(frame, copy: lent == nil, opaque: opaque) {
            case .queued:
                saturated.store(false, ordering: .relaxed)
                if lent == nil {
                    copiedCount.wrappingAdd(1, ordering: .relaxed)
                } else {
                    lentCount.wrappingAdd(1, ordering: .relaxed)
                }
                return .queued
            case .queueFull:
                if !saturated.load(ordering: .relaxed), clock.now < giveUp {
                    // The poll thread frees room as reports arrive.
                    Syscall.sleep(.milliseconds(5))
                    continue
                }
                countError(source: "produce", code: KafkaProducer.queueFullName)
                saturated.store(true, ordering: .relaxed)
                release(slot)
                throw DestinationDrop(reason: .queueFull, detail: "kafka: queue full (\(settings.queueKBytes) KiB) for \(settings.queueFullWait)")
            case .failed(let why, let code, let tooLarge):
                countError(source: "produce", code: code)
                release(slot)
                throw DestinationDrop(reason: tooLarge ? .tooLarge : .writeError, detail: "kafka: produce \(frame.count) bytes: \(why)")
            }
        }
    }

    /// Takes the slot back and returns its lent buffer to the pool.
    @discardableResult
    private func release(_ slot: Int) -> InFlightEnvelope? {
        guard let entry = inFlight.withLock({ $0.remove(slot) }) else { return nil }
        if let buffer = entry.lent { envelopePool.give(buffer) }
        return entry
    }

    // MARK: Callbacks (librdkafka's threads)

    /// A delivery report, on the poll thread: nil `error` when delivered.
    /// A failure librdkafka says the broker may have persisted (timed out in
    /// flight) is `unconfirmed`, not `delivery failed`: a slow broker does
    /// write some of those.
    func delivered(opaque: UnsafeMutableRawPointer?, error: KafkaError?, possiblyPersisted: Bool) {
        guard let opaque, let entry = release(Int(bitPattern: opaque) - 1) else { return }
        late.withLock { counts in
            guard let error else {
                counts.delivered += 1
                brokerAnswered.store(true, ordering: .relaxed)
                return
            }
            counts.dropped(error.isPurge ? .shutdown : possiblyPersisted ? .unconfirmed : .deliveryFailed, rows: entry.rows)
        }
        guard let error else { return }
        countError(source: "delivery", code: error.name)
        if !error.isPurge { problem("kafka: envelope of \(entry.rows) rows not delivered: \(error.text)") }
    }

    func problem(_ line: String) {
        problems.withLock { $0.add(line) }
    }

    func countError(source: String, code: String) {
        errors.withLock { $0[KafkaErrorKey(source: source, code: code), default: 0] += 1 }
    }

}

/// Where a Kafka error came from and librdkafka's name of its code.
public struct KafkaErrorKey: Hashable, Sendable {
    public var source: String
    public var code: String
}

/// An envelope librdkafka holds: its row count (for drop accounting) and
/// the buffer lent, if it was not copied.
struct InFlightEnvelope {
    var rows: Int
    var bytes = 0
    var lent: DetachedEnvelope?
}

/// Envelopes in flight by slot number (the message's opaque), slots reused:
/// no allocation per envelope once the table has grown to the queue's size.
struct InFlightTable {
    private var slots: [InFlightEnvelope?] = []
    private var free: [Int] = []
    /// Bytes of the envelopes in the table: librdkafka's queue, as
    /// `queue.buffering.max.kbytes` bounds it.
    private(set) var bytes = 0

    init() {
        slots.reserveCapacity(1024)
        free.reserveCapacity(1024)
    }

    mutating func insert(_ entry: InFlightEnvelope) -> Int {
        bytes += entry.bytes
        if let slot = free.popLast() {
            slots[slot] = entry
            return slot
        }
        slots.append(entry)
        return slots.count - 1
    }

    mutating func remove(_ slot: Int) -> InFlightEnvelope? {
        guard slots.indices.contains(slot), let entry = slots[slot] else { return nil }
        slots[slot] = nil
        free.append(slot)
        bytes -= entry.bytes
        return entry
    }

    mutating func removeAll() -> [InFlightEnvelope] {
        let left = slots.compactMap { $0 }
        slots.removeAll()
        free.removeAll()
        bytes = 0
        return left
    }
}
