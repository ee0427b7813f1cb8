import IOUring
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A ring and how the dumps on it receive their datagrams: the part of the
/// ring path that differs between the two ways io_uring can receive.
///
/// - `perDatagram`: one receive per datagram into the dump's own buffer,
///   queued again after each, with a linked timeout (`-nltimeout`) that
///   ends it with -ECANCELED when the dump stalls. Any io_uring kernel.
/// - `multishot` (Linux 6.0): one multishot receive per dump, the kernel
///   taking a buffer from a shared ring of provided buffers for each
///   datagram; no submission per datagram. The kernel stops it when the
///   buffers run out (re-armed here) and it is cancelled at the dump's
///   end. A stall is found by the netlinker's timed wait (`stalled`).
final class RingChannel {
    enum Mode: String { case perDatagram = "one receive per datagram", multishot = "multishot receive, provided buffers" }

    let ring: IOUring
    let mode: Mode
    private let timeout: Duration
    /// `perDatagram`: one buffer per dump in flight.
    private let slotBuffers: [UnsafeMutableRawBufferPointer]
    /// `multishot`: the shared ring of provided buffers.
    private let provided: ProvidedBuffers?
    /// Why multishot was not used, when it was asked for.
    let fellBack: String?

    /// Sets up the receiving of `window` dumps at once on `ring`:
    /// multishot when asked for and the kernel has it, else per datagram.
    init(ring: IOUring, window: Int, packetSize: Int, timeout: Duration, multishot: Bool) {
        self.ring = ring
        self.timeout = timeout
        var provided: ProvidedBuffers?
        var fellBack: String?
        if multishot {
            if KernelRelease.current.isAtLeast(6, 0) {
                // Twice the dumps in flight: a dump's datagrams wait in
                // buffers until the thread decodes them.
                do { provided = try ring.provideBuffers(group: 1, count: 2 * window, size: packetSize) } catch { fellBack = "\(error)" }
            } else {
                fellBack = "Linux \(KernelRelease.current) has no multishot receive (6.0)"
            }
        }
        self.provided = provided
        self.fellBack = fellBack
        mode = provided == nil ? .perDatagram : .multishot
        slotBuffers = provided == nil
            ? (0..<window).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: packetSize, alignment: 4096) } : []
    }

    deinit { for buffer in slotBuffers { buffer.deallocate() } }

    /// Receive memory held, whatever the number of namespaces.
    var bufferBytes: Int { provided.map { $0.count * $0.size } ?? slotBuffers.reduce(0) { $0 + $1.count } }

    /// Starts (or, after a completion without `hasMore`, restarts) the
    /// receiving of the dump in `slot` on `descriptor`; completions carry
    /// `tag`. The ring holds two entries per slot, and at most two are
    /// queued per slot (a receive and its timer, or a cancel), so this
    /// never finds the queue full.
    func arm(slot: Int, descriptor: Int32, tag: UInt64) {
        if let provided {
            _ = ring.queueMultishotReceive(descriptor: descriptor, buffers: provided, userData: tag)
        } else {
            _ = ring.queueReceive(descriptor: descriptor, into: slotBuffers[slot], userData: tag, timeout: timeout)
        }
    }

    /// Whether the dump must be armed again after `completion`, a datagram.
    func needsArming(after completion: IOUring.Completion) -> Bool { provided == nil || !completion.hasMore }

    /// Hands the datagram `completion` received in `slot` to `body`, then
    /// gives its buffer back.
    func withDatagram<R>(_ completion: IOUring.Completion, slot: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let count = Int(completion.result)
        guard let provided, let id = completion.bufferID else {
            return body(UnsafeRawBufferPointer(rebasing: slotBuffers[slot][0..<count]))
        }
        defer { provided.recycle(id) }
        return body(provided.contents(of: id, byteCount: count))
    }

    /// Gives back the buffer of a completion nobody reads (a dump that
    /// ended or was abandoned before it came).
    func discard(_ completion: IOUring.Completion) {
        if let provided, let id = completion.bufferID { provided.recycle(id) }
    }

    /// A dump ends while its receive may still be armed (`armed`: its last
    /// completion had `hasMore`): a multishot receive is cancelled, so that
    /// it neither takes the next dump's datagrams nor keeps the socket.
    func disarm(tag: UInt64, armed: Bool) {
        if provided != nil, armed { _ = ring.queueCancel(userData: tag) }
    }

    /// Whether a completion ended the receive because nothing came within
    /// `-nltimeout` (per datagram: its linked timeout fired).
    func timedOut(_ completion: IOUring.Completion) -> Bool { provided == nil && completion.result == -ECANCELED }

    /// Whether a failed completion only means the provided buffers ran out
    /// for a moment (-ENOBUFS: the multishot stopped; arm it again).
    func ranOutOfBuffers(_ completion: IOUring.Completion) -> Bool { provided != nil && completion.result == -ENOBUFS }

    /// Waits for completions after submitting what is queued, until
    /// `deadline` if given; false if nothing came by then. Multishot
    /// receives have no timers of their own, so their netlinker waits until
    /// the earliest moment a dump in flight would be stalled.
    func submitAndWait(until deadline: ContinuousClock.Instant?) throws(SystemError) -> Bool {
        guard let deadline else {
            try ring.submit(waitingFor: 1)
            return true
        }
        return try ring.submit(waitingFor: 1, timeout: max(deadline - .now, .milliseconds(1)))
    }

    /// Whether stalls are found by the netlinker's timed wait (multishot)
    /// rather than by each receive's linked timeout.
    var usesTimedWait: Bool { mode == .multishot }
}
