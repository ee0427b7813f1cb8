import IOUring
import Netlink
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The io_uring receive path (`-ioUring`): one ring per netlinker that has
/// up to `window` dumps in flight at once, each receiving on the ring
/// (`RingChannel`: one multishot receive per dump, or one receive per
/// datagram). Each completion is a datagram for the session, a stall, or a
/// failed receive; a slot whose dump ended takes the next job. The threads
/// do not grow with namespaces.
final class RingReceiver: DumpReceiver {
    let threadPrefix = "xtcp-ring"
    private let config: DaemonConfig
    /// Made on the netlinker's own thread (`setUp`): a SINGLE_ISSUER ring
    /// belongs to the thread that sets it up (another's submit gets EEXIST).
    private(set) var channel: RingChannel!
    /// Tags each dump's completions (slot in the low 16 bits), so that a
    /// late completion of an ended dump is told from its slot's next dump.
    private var dumpSerial: UInt64 = 0

    init(config: DaemonConfig) {
        self.config = config
    }

    func setUp() throws {
        let window = config.ioUringWindow
        channel = RingChannel(ring: try IOUring(entries: UInt32(max(8, 2 * window)).nextPowerOfTwo), window: window,
                              packetSize: config.packetSize, timeout: config.netlinkTimeout.duration, multishot: config.ioUringMultishot)
    }

    /// A dump in flight: its job, the tag of its completions, whether its
    /// receive is armed, and when its last datagram came.
    private struct Flight {
        var job: DumpJob
        var tag: UInt64
        var armed = true
        var lastHeard: ContinuousClock.Instant
    }

    func dump(_ jobs: [DumpJob], poll ticket: PollTicket, into session: DumpSession) {
        let channel = channel!
        var pending = jobs[...]
        var active: [Flight?] = Array(repeating: nil, count: config.ioUringWindow)
        let stallAfter = config.netlinkTimeout.duration

        /// Starts the next pending job that can start in `slot`; false when
        /// none is left.
        func startNext(in slot: Int) -> Bool {
            while let job = pending.popFirst() {
                guard let socket = session.start(job, poll: ticket) else { continue }
                dumpSerial &+= 1
                let flight = Flight(job: job, tag: dumpSerial << 16 | UInt64(slot), lastHeard: .now)
                active[slot] = flight
                channel.arm(slot: slot, descriptor: socket.fileDescriptor, tag: flight.tag)
                return true
            }
            return false
        }

        /// The dump in `slot` is over (the session has ended it): its
        /// receive disarmed, the slot given to the next job.
        func vacate(_ slot: Int) {
            guard let flight = active[slot] else { return }
            channel.disarm(tag: flight.tag, armed: flight.armed)
            active[slot] = nil
            _ = startNext(in: slot)
        }

        /// Hands every completion ready (up to -ioUringCqeBatch) to the session.
        func reapAll() {
            channel.ring.reap(limit: config.ioUringCqeBatch) { completion in
                let slot = Int(completion.userData & 0xFFFF)
                guard completion.userData < IOUring.cancelUserData, slot < active.count,
                      let flight = active[slot], flight.tag == completion.userData else {
                    channel.discard(completion)  // a timer's, a cancel's, or an ended dump's late datagram
                    return
                }
                let job = flight.job
                active[slot]!.armed = completion.hasMore
                active[slot]!.lastHeard = .now
                guard completion.result > 0 else {
                    if channel.ranOutOfBuffers(completion) {
                        channel.arm(slot: slot, descriptor: job.socket!.fileDescriptor, tag: flight.tag)
                        active[slot]!.armed = true
                    } else if channel.timedOut(completion) {
                        session.stalled(job)  // the linked timeout
                        vacate(slot)
                    } else {
                        session.receiveFailed(job, errno: -completion.result)
                        vacate(slot)
                    }
                    return
                }
                let step = channel.withDatagram(completion, slot: slot) { session.receive($0, for: job) }
                if step == .ended {
                    vacate(slot)
                } else if channel.needsArming(after: completion) {
                    channel.arm(slot: slot, descriptor: job.socket!.fileDescriptor, tag: flight.tag)
                    active[slot]!.armed = true
                }
            }
        }

        for slot in active.indices where !startNext(in: slot) { break }
        while active.contains(where: { $0 != nil }) {
            do {
                // Multishot receives have no timers: a dump that has heard
                // nothing for -nltimeout is stalled, whether or not others
                // are still receiving. (Per datagram, each receive's linked
                // timeout says so.)
                let stallDeadline = channel.usesTimedWait
                    ? active.lazy.compactMap { $0?.lastHeard }.min().map { $0 + stallAfter } : nil
                if try channel.submitAndWait(until: stallDeadline) { reapAll() }
                guard channel.usesTimedWait else { continue }
                let now = ContinuousClock.now
                for slot in active.indices where active[slot].map({ now - $0.lastHeard >= stallAfter }) ?? false {
                    session.stalled(active[slot]!.job)
                    vacate(slot)
                }
            } catch {
                // The ring itself failed: every dump in flight, and every
                // one not begun, is counted as failed.
                session.problem("io_uring: \(error)")
                for slot in active.indices {
                    guard let flight = active[slot] else { continue }
                    session.receiveFailed(flight.job, errno: error.errno)
                    channel.disarm(tag: flight.tag, armed: flight.armed)
                    active[slot] = nil
                }
                session.notBegun(pending.count, errno: error.errno)
                break
            }
        }
        // Cancellations of the last dumps reach the kernel now, not at the
        // next poll.
        _ = try? channel.ring.submit()
    }
}

extension UInt32 {
    var nextPowerOfTwo: UInt32 { self <= 1 ? 1 : 1 << (32 - (self - 1).leadingZeroBitCount) }
}
