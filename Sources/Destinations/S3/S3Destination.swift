import Dispatch
import Platform
import RecordFmt
import Synchronization

/// `-dest s3:`: batches gathered into objects (`S3ObjectBuffer`), each
/// uploaded with one PUT once it holds `-s3FlushBytes` or is
/// `-s3FlushInterval` old, under a Hive-style key (`S3ObjectKey`).
///
/// Accounting: every batch is `queued` when it is taken, and gets its
/// verdict with its object's: delivered when the PUT is answered 2xx;
/// dropped `queue full` when its object is sealed while `-s3QueueObjects`
/// wait already; `delivery failed` when S3 refuses it (a 4xx other than
/// 408/429, or every try answered with an error), `unreachable` when the
/// last try reached no server, `unconfirmed` when it went unanswered once
/// sent (timed out, reset: S3 may have stored it; a retry has the same
/// key, so it is never stored twice), `shutdown` when the end of the run
/// came first.
/// Tries are `-s3UploadMaxAttempts`, 0.5 s apart doubling to
/// `-s3UploadBackoffCap`, each wait drawn from [0, it] (full jitter).
///
/// One uploader thread seals (compresses, writes Parquet's footer) and
/// uploads; netlinkers only copy their batch in, under the lock. The
/// object being uploaded is off the queue (so it is sealed in place) but
/// counts against `-s3QueueObjects`.
public final class S3Destination: Destination, @unchecked Sendable {  // `uploader` is set once in init; the rest is under `state`
    private struct State {
        var filling: S3ObjectBuffer?
        /// Sealed objects waiting, in order.
        var queue: [S3ObjectBuffer] = []
        /// Whether the uploader holds one (taken off the queue).
        var uploading = false
        var late = DeliveryCounts()
        var problems: [String] = []
        var stopping = false
        var stopBy: ContinuousClock.Instant = .now
        var everUploaded = false
        var failing: String?
        var uploaded = 0, givenUp = 0, uploadedBytes = 0, retries = 0
        /// `-s3FlushBytes` and `-s3FlushInterval` as set now.
        var tuning: Tuning

        var waiting: Int { queue.count + (uploading ? 1 : 0) }
    }

    /// What became of one try of an object's PUT.
    private enum Verdict {
        case delivered
        case dropped(DropReason, String)
        case again(after: Duration)
    }

    /// An object's size and age past which it is uploaded: the flags', or
    /// what the gRPC API's SetS3Upload set since.
    public struct Tuning: Sendable, Equatable {
        public var flushBytes: Int
        public var flushInterval: Duration
    }

    /// The bounds `SetS3Upload` keeps to (as the flags').
    public static let flushBytesRange = 65536...(1 << 30)
    public static let shortestFlushInterval = Duration.milliseconds(1)

    private let settings: S3Settings
    /// csv's and tsv's header, at the start of each object.
    private let header: [UInt8]
    private let patience: Duration
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let client: S3Client
    private var uploader: OSThread?

    /// `caFile`: -httpCAFile, for an https endpoint with a private CA.
    init(settings: S3Settings, header: [UInt8], caFile: String?, patience: Duration) throws(DestinationUnavailable) {
        self.settings = settings
        self.header = header
        self.patience = patience
        state = Mutex(State(tuning: Tuning(flushBytes: settings.flushBytes, flushInterval: settings.flushInterval)))
        client = try S3Client(settings: settings, caFile: caFile)
        if !settings.skipBucketProbe { try probe() }
        do {
            uploader = try OSThread(name: "xtcp-s3") { [self] in uploadUntilClosed() }
        } catch {
            throw DestinationUnavailable(description: "-dest s3: cannot start its uploader: \(error)")
        }
    }

    /// HEAD of the bucket: a wrong endpoint, bucket or key is said at
    /// start (exit 3), not at the first upload a minute later.
    private func probe() throws(DestinationUnavailable) {
        let where_ = "bucket \(settings.bucket) at \(settings.endpoint)"
        switch client.headBucket(timeout: min(patience, .seconds(10))) {
        case .status(let status, _) where (200..<300).contains(status): return
        case .status(404, _): throw DestinationUnavailable(description: "-dest s3: no \(where_) (HTTP 404)")
        case .status(let status, let code) where status == 403 || status == 401:
            throw DestinationUnavailable(description: "-dest s3: \(where_) refused the access key \(settings.accessKey) (HTTP \(status)\(code.map { " \($0)" } ?? ""))")
        case let answer: throw DestinationUnavailable(description: "-dest s3: \(where_): \(answer.description)")
        }
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        let sealed = try state.withLock { state throws(DestinationDrop) -> Bool in
            guard !state.stopping else { throw DestinationDrop(reason: .shutdown, detail: "s3: closing") }
            if state.filling == nil {
                state.filling = S3ObjectBuffer(settings: tuned(state.tuning), header: header, unixSeconds: WallClock.nanoseconds() / 1_000_000_000)
            }
            try state.filling!.append(batch, rows: rows)
            guard state.filling!.isFull else { return false }
            seal(&state)
            return true
        }
        if sealed { wake.signal() }
        return .queued
    }

    public var tuning: Tuning { state.withLock { $0.tuning } }

    /// New sizing, for the object being filled and the next (nil: as it
    /// is); values outside the flags' bounds are the caller's to refuse.
    public func retune(flushBytes: Int?, flushInterval: Duration?) -> Tuning {
        let tuning = state.withLock { state in
            if let flushBytes { state.tuning.flushBytes = flushBytes }
            if let flushInterval { state.tuning.flushInterval = flushInterval }
            state.filling?.retune(tuned(state.tuning))
            return state.tuning
        }
        wake.signal()  // an object now due goes without waiting
        return tuning
    }

    private func tuned(_ tuning: Tuning) -> S3Settings {
        var tuned = settings
        tuned.flushBytes = tuning.flushBytes
        tuned.flushInterval = tuning.flushInterval
        return tuned
    }

    /// The object being filled goes to the queue, or is dropped when the
    /// queue is full.
    private func seal(_ state: inout State) {
        guard let object = state.filling else { return }
        state.filling = nil
        if state.waiting >= settings.queueObjects {
            drop(object, .queueFull, "\(settings.queueObjects) objects already wait for their upload", &state)
        } else {
            state.queue.append(object)
        }
    }

    private func drop(_ object: S3ObjectBuffer, _ reason: DropReason, _ why: String, _ state: inout State) {
        for rows in object.envelopeRows { state.late.dropped(reason, rows: rows) }
        state.problems.append("s3: an object of \(object.envelopes) envelopes (\(object.rows) rows) dropped: \(why)")
    }

    private func uploadUntilClosed() {
        let compressor = ZstdCompressor()
        var compressed: [UInt8] = []
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            let (next, done) = state.withLock { state -> (S3ObjectBuffer?, Bool) in
                if let filling = state.filling, state.stopping || filling.isDue(at: .now) { seal(&state) }
                guard !state.queue.isEmpty else { return (nil, state.stopping) }
                state.uploading = true
                return (state.queue.removeFirst(), false)
            }
            if done { return }
            guard var object = next else { continue }
            upload(&object, compressor: compressor, compressed: &compressed)
        }
    }

    /// Uploads an object with retries and counts its verdict.
    private func upload(_ object: inout S3ObjectBuffer, compressor: ZstdCompressor, compressed: inout [UInt8]) {
        let key = S3ObjectKey.make(prefix: settings.prefix, hostname: settings.hostname, unixSeconds: object.startedUnixSeconds,
                                   format: settings.format, compression: settings.compression)
        let final = object.seal(compressor: compressor, compressed: &compressed, createdBy: "xtcp") { body in
            var backoff = Backoff(first: min(.milliseconds(500), settings.uploadBackoffCap), cap: settings.uploadBackoffCap, fullJitter: true)
            var attempt = 1
            while true {
                let answer = client.put(key: key, body: body, contentType: settings.format.contentType, timeout: requestTimeout())
                let verdict = state.withLock { state in judge(answer, key: key, attempt: attempt, bytes: body.count, backoff: &backoff, &state) }
                guard case .again(let pause) = verdict else { return verdict }
                Syscall.sleep(pause)
                attempt += 1
            }
        }
        state.withLock { state in
            state.uploading = false
            switch final {
            case .delivered: state.late.delivered += UInt64(object.envelopes)
            case .dropped(let reason, let why):
                state.givenUp += 1
                drop(object, reason, why, &state)
            case .again: break  // the loop above returns no other
            }
        }
    }

    /// One try's answer: delivered, dropped (refused; out of tries; the
    /// run ending before the next), or tried again after the backoff.
    private func judge(_ answer: S3Client.Answer, key: String, attempt: Int, bytes: Int, backoff: inout Backoff, _ state: inout State) -> Verdict {
        if answer.isSuccess {
            state.uploaded += 1
            state.uploadedBytes += bytes
            if let failing = state.failing { state.problems.append("s3: uploading again (was: \(failing))") }
            state.failing = nil
            state.everUploaded = true
            return .delivered
        }
        state.failing = answer.description
        if !answer.isRetryable || attempt >= settings.uploadMaxAttempts {
            let reason: DropReason
            switch answer {
            case .none(_, let mayHaveArrived): reason = mayHaveArrived ? .unconfirmed : .unreachable
            case .status: reason = .deliveryFailed
            }
            return .dropped(reason, "\(key): \(answer.description) after \(attempt) \(attempt == 1 ? "try" : "tries")")
        }
        let pause = backoff.next()
        if state.stopping, .now + pause > state.stopBy {
            return .dropped(.shutdown, "\(key): \(answer.description), and the run ends before another try")
        }
        state.retries += 1
        state.problems.append("s3: \(key): \(answer.description) (try \(attempt) of \(settings.uploadMaxAttempts)); again in \(pause.roundedMilliseconds) ms")
        return .again(after: pause)
    }

    /// An upload is off the poll's path: it may take `uploadTimeout`, less
    /// once the run is ending (what is left of the time closing allows).
    private func requestTimeout() -> Duration {
        state.withLock { state in state.stopping ? max(.milliseconds(1), min(Self.uploadTimeout, state.stopBy - .now)) : Self.uploadTimeout }
    }

    static let uploadTimeout: Duration = .seconds(30)

    public func takeLateCounts() -> DeliveryCounts {
        state.withLock { state in
            defer { state.late = DeliveryCounts() }
            return state.late
        }
    }

    public func takeProblems() -> [String] {
        state.withLock { state in
            defer { state.problems.removeAll() }
            return state.problems
        }
    }

    public var unready: String? {
        state.withLock { state in state.everUploaded || state.failing == nil ? nil : "s3: no object uploaded yet (\(state.failing!))" }
    }

    /// Uploads what is filled and queued, trying no later than `-timeout`
    /// from now; what is left then is dropped `shutdown`.
    public func close() throws {
        state.withLock { state in
            state.stopping = true
            state.stopBy = .now + patience
        }
        wake.signal()
        uploader?.join()
        state.withLock { state in
            if let filling = state.filling { drop(filling, .shutdown, "the run ended", &state) }
            for object in state.queue { drop(object, .shutdown, "the run ended", &state) }
            state.filling = nil
            state.queue.removeAll()
        }
    }

    public var metrics: [MetricFamily] {
        state.withLock { state in
            [
                MetricFamily(name: "xtcp_destination_s3_queued_objects", kind: .gauge,
                             help: "S3 objects sealed and waiting for their upload, the one being uploaded included.",
                             value: Double(state.waiting)),
                MetricFamily(name: "xtcp_destination_s3_uploads_total", kind: .counter, help: "S3 objects uploaded (ok) and given up on (dropped).",
                             samples: [.init(labels: [("result", "dropped")], value: Double(state.givenUp)),
                                       .init(labels: [("result", "ok")], value: Double(state.uploaded))]),
                MetricFamily(name: "xtcp_destination_s3_upload_retries_total", kind: .counter, help: "S3 uploads tried again after a failure.",
                             value: Double(state.retries)),
                MetricFamily(name: "xtcp_destination_s3_uploaded_bytes_total", kind: .counter, help: "Bytes of the S3 objects uploaded.",
                             value: Double(state.uploadedBytes)),
            ]
        }
    }
}
