// Implementation only: CURing's io_uring types must not reach importers,
// whose other modules may bring the kernel's own <linux/io_uring.h> (swift-
// system's CSystem does), and the two definitions clash. `internal import`
// is not enough: without library evolution importers still load CURing,
// and Benchmarks/ (which imports CSystem) fails to build. Swift 6.3 warns
// about @_implementationOnly here; the warning is the lesser evil.
@_implementationOnly import CURing
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A small Swift face over one liburing ring (Debian's liburing 2.3): the
/// ring's setup with the flags this kernel supports, receive submissions on
/// netlink sockets, and batched completion reaping. The only place xtcp
/// calls liburing. One owner thread per ring: not Sendable.
public final class IOUring {
    /// The liburing ring, on the heap behind a raw pointer so that no
    /// CURing type appears in this class's layout.
    private let storage: UnsafeMutableRawPointer
    var ring: UnsafeMutablePointer<io_uring> { storage.assumingMemoryBound(to: io_uring.self) }
    /// Provided-buffer rings registered on this ring: kept until the ring
    /// is torn down, because the kernel may write into them until then.
    var bufferRings: [ProvidedBuffers] = []
    /// Submission queue entries (the ring's size as set up).
    public let entries: UInt32
    /// The setup flags the kernel accepted (see `init`).
    public let flags: UInt32

    /// One completion: what was submitted with `userData`, and its result
    /// (bytes received, or -errno).
    public struct Completion: Equatable, Sendable {
        public var userData: UInt64
        public var result: Int32
        public var flags: UInt32

        /// The provided buffer the kernel chose (IORING_CQE_F_BUFFER: its
        /// id is in the upper 16 bits), which must be recycled.
        public var bufferID: UInt16? {
            flags & XTCP_IORING_CQE_F_BUFFER != 0 ? UInt16(truncatingIfNeeded: flags >> XTCP_IORING_CQE_BUFFER_SHIFT) : nil
        }
        /// IORING_CQE_F_MORE: a multishot request stays armed after this.
        public var hasMore: Bool { flags & XTCP_IORING_CQE_F_MORE != 0 }
    }

    /// Sets up a ring of `entries`; tries each flag set in `preferences` in
    /// turn and keeps the first the kernel accepts (newer kernels take more:
    /// IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_DEFER_TASKRUN since 6.1,
    /// IORING_SETUP_COOP_TASKRUN since 5.19), falling back to none.
    public init(entries: UInt32, preferences: [UInt32] = IOUring.preferredFlagSets) throws(SystemError) {
        storage = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<io_uring>.size, alignment: MemoryLayout<io_uring>.alignment)
        storage.initializeMemory(as: io_uring.self, repeating: io_uring(), count: 1)
        var lastError: Int32 = 0
        for flags in preferences + [0] {
            var params = io_uring_params()
            params.flags = flags
            let result = io_uring_queue_init_params(entries, storage.assumingMemoryBound(to: io_uring.self), &params)
            if result == 0 {
                self.entries = entries
                self.flags = flags
                let ringEntries = Int(storage.assumingMemoryBound(to: io_uring.self).pointee.sq.ring_entries)
                timespecCapacity = ringEntries
                timespecs = UnsafeMutablePointer<Int64>.allocate(capacity: 2 * ringEntries)
                return
            }
            lastError = -result
        }
        timespecs = UnsafeMutablePointer<Int64>.allocate(capacity: 2)
        storage.deallocate()
        timespecs.deallocate()
        throw SystemError(.ioUringSetup, errno: lastError, subject: "\(entries) entries")
    }

    deinit {
        io_uring_queue_exit(ring)
        storage.deallocate()
        timespecs.deallocate()
    }

    /// IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN: one thread
    /// submits and reaps, completions run in its context when it waits;
    /// then IORING_SETUP_COOP_TASKRUN.
    public static let preferredFlagSets: [UInt32] = [
        XTCP_IORING_SETUP_SINGLE_ISSUER | XTCP_IORING_SETUP_DEFER_TASKRUN, XTCP_IORING_SETUP_COOP_TASKRUN,
    ]

    /// Whether the kernel supports an operation (IORING_OP_*).
    public func supports(_ operation: UInt8) -> Bool {
        guard let probe = io_uring_get_probe_ring(ring) else { return false }
        defer { io_uring_free_probe(probe) }
        return io_uring_opcode_supported(probe, Int32(operation)) != 0
    }

    public static let opRecv = UInt8(XTCP_IORING_OP_RECV)

    /// Queues a receive of up to `buffer.count` bytes from `descriptor`
    /// into `buffer`; false when the submission queue is full (submit
    /// first). The buffer must stay valid until its completion is reaped.
    public func queueReceive(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, userData: UInt64) -> Bool {
        guard let entry = io_uring_get_sqe(ring) else { return false }
        io_uring_prep_recv(entry, descriptor, buffer.baseAddress, buffer.count, 0)
        io_uring_sqe_set_data64(entry, userData)
        return true
    }

    /// The user data of the linked timeouts `queueReceive(…timeout:)` adds:
    /// their own completions carry it (and are not the caller's business).
    public static let linkedTimeoutUserData = UInt64.max

    /// Queues a receive that fails with -ECANCELED if nothing arrives within
    /// `timeout` (a linked IORING_OP_LINK_TIMEOUT): how a stalled dump is
    /// noticed without a blocking recv timeout. Takes two entries; false
    /// when fewer are free (submit first).
    public func queueReceive(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, userData: UInt64,
                             timeout: Duration) -> Bool {
        guard io_uring_sq_space_left(ring) >= 2, let entry = io_uring_get_sqe(ring) else { return false }
        io_uring_prep_recv(entry, descriptor, buffer.baseAddress, buffer.count, 0)
        io_uring_sqe_set_data64(entry, userData)
        entry.pointee.flags |= UInt8(XTCP_IOSQE_IO_LINK)
        let (seconds, attoseconds) = timeout.components
        // The kernel reads the timespec when the entry is submitted, so it
        // lives in `linkTimeouts` until then (one per queued link).
        // A __kernel_timespec is two 64-bit fields: seconds, nanoseconds.
        // Safe: at most one timer per two queue entries is pending, and
        // `timespecCapacity` is the queue's size.
        let slot = timespecs + 2 * queuedTimespecs
        slot[0] = seconds
        slot[1] = attoseconds / 1_000_000_000
        queuedTimespecs += 1
        let timer = io_uring_get_sqe(ring)!  // space checked above
        slot.withMemoryRebound(to: __kernel_timespec.self, capacity: 1) { io_uring_prep_link_timeout(timer, $0, 0) }
        io_uring_sqe_set_data64(timer, Self.linkedTimeoutUserData)
        return true
    }

    /// Timespecs of linked timeouts not yet submitted (the kernel reads them
    /// at submission), one per queued timer, room for a full queue.
    private var timespecs: UnsafeMutablePointer<Int64>
    private var timespecCapacity = 0
    private var queuedTimespecs = 0

    /// Queues a multishot receive (Linux 6.0): one submission that keeps
    /// receiving from `descriptor` into buffers taken from `buffers`, one
    /// completion per datagram, until it fails, runs out of buffers
    /// (-ENOBUFS) or is cancelled; its last completion lacks `hasMore`.
    /// False when the submission queue is full (submit first).
    public func queueMultishotReceive(descriptor: Int32, buffers: ProvidedBuffers, userData: UInt64) -> Bool {
        guard let entry = io_uring_get_sqe(ring) else { return false }
        io_uring_prep_recv_multishot(entry, descriptor, nil, 0, 0)
        entry.pointee.flags |= UInt8(XTCP_IOSQE_BUFFER_SELECT)
        entry.pointee.buf_group = buffers.group
        io_uring_sqe_set_data64(entry, userData)
        return true
    }

    /// Queues the cancellation of the request submitted with `userData`;
    /// its completion carries `cancelUserData`. False when the queue is full.
    public func queueCancel(userData: UInt64) -> Bool {
        guard let entry = io_uring_get_sqe(ring) else { return false }
        io_uring_prep_cancel64(entry, userData, 0)
        io_uring_sqe_set_data64(entry, Self.cancelUserData)
        return true
    }

    /// The user data of `queueCancel`'s own completions.
    public static let cancelUserData = UInt64.max - 1

    /// Submits what is queued and waits up to `timeout` for at least
    /// `waitFor` completions; false when the time ran out first.
    public func submit(waitingFor waitFor: UInt32, timeout: Duration) throws(SystemError) -> Bool {
        let (seconds, attoseconds) = timeout.components
        var limit = __kernel_timespec(tv_sec: seconds, tv_nsec: attoseconds / 1_000_000_000)
        var first: UnsafeMutablePointer<io_uring_cqe>?
        defer { queuedTimespecs = 0 }
        let result = try Syscall.negatedErrno(.ioUringWait, accepting: ETIME) {
            io_uring_submit_and_wait_timeout(ring, &first, waitFor, &limit, nil)
        }
        return result != -ETIME
    }

    /// Submits what is queued and waits for at least `waitFor` completions.
    @discardableResult
    public func submit(waitingFor waitFor: UInt32 = 0) throws(SystemError) -> Int {
        defer { queuedTimespecs = 0 }
        return Int(try Syscall.negatedErrno(.ioUringSubmit) { waitFor > 0 ? io_uring_submit_and_wait(ring, waitFor) : io_uring_submit(ring) })
    }

    /// Takes up to `limit` completions that are ready, without waiting, and
    /// hands each to `body`; returns how many.
    @discardableResult
    public func reap(limit: Int = 64, _ body: (Completion) -> Void) -> Int {
        var taken = 0
        var entry: UnsafeMutablePointer<io_uring_cqe>?
        while taken < limit, io_uring_peek_cqe(ring, &entry) == 0, let cqe = entry {
            var completion = Completion(userData: cqe.pointee.user_data, result: cqe.pointee.res, flags: cqe.pointee.flags)
            io_uring_cqe_seen(ring, cqe)
            if completion.result > 0 { completion = injectingFault(into: completion) }
            body(completion)
            taken += 1
        }
        return taken
    }

    /// A received datagram's completion as a test's interposer may turn it
    /// (`SyscallSeam`, call `ioUringReceive`): failed with its errno, the
    /// datagram lost and its provided buffer handed back, as a real
    /// overflow would leave it. Unchanged in production.
    private func injectingFault(into completion: Completion) -> Completion {
        guard let fault = SyscallSeam.fault(.ioUringReceive, -1), case .fail(let errno) = fault else { return completion }
        if let id = completion.bufferID { bufferRings.first?.recycle(id) }
        return Completion(userData: completion.userData, result: -errno, flags: completion.flags & ~XTCP_IORING_CQE_F_BUFFER)
    }
}
