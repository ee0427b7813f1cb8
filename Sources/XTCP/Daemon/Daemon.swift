import Destinations
import Logging
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// `xtcp` without `-replay` or `-capture`: polls on a schedule until
/// `-maxLoops` polls are done or SIGTERM/SIGINT arrives, then flushes and
/// closes the destination.
///
/// Signals are blocked in every thread and taken by the main thread with
/// sigtimedwait while it waits for the next tick: no handler runs in the
/// middle of a dump, and a signal that arrives during a poll is taken when
/// the poll ends (within `-timeout`), after its envelopes are flushed.
public final class Daemon {
    public let config: DaemonConfig
    let logger: Logger
    public private(set) var totals = PollCounts()
    public private(set) var polls: UInt64 = 0

    /// Logs through `logger`: a line per poll at info, what went wrong at
    /// warning or error with the poll it happened in, the configuration
    /// and every HTTP request at debug.
    public init(config: DaemonConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs until done; returns the signal that ended it, if one did.
    @discardableResult
    public func run() throws -> Int32? {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        // Exactly these blocked, inherited by every thread started after:
        // a parent's mask (a test runner's blocks nearly everything) would
        // otherwise silence the profiler's SIGPROF and stack signal.
        pthread_sigmask(SIG_SETMASK, &signals, nil)

        // Envelope buffers (hundreds of KiB) come and go with namespaces:
        // a fixed mmap threshold keeps them mmapped, so a freed one goes
        // back to the kernel (glibc's sliding threshold would move them to
        // the heap after the first free, where they fragment and stay).
        Malloc.fixMmapThreshold(bytes: 128 * 1024)
        for line in config.lines { logger.debug("config: \(line)") }
        let destination = try config.openDestination()
        _ = ProcessFigures.startTime
        let board = MetricsBoard()
        let listener = try config.promListen.map { address in
            try HTTPListener(address: address, handler: OperatorEndpoints(board: board, destination: destination, config: config, logger: logger).answer)
        }
        defer { listener?.stop() }
        let wholeRunProfile = config.profileWholeRun ? try WholeRunProfile(path: config.profilePath) : nil
        var scope = config.namespaces
        if scope == .all, let missing = Privileges.current().missingForOtherNamespaces {
            logger.warning("xtcp: \(missing): only the namespace xtcp runs in will be polled")
            scope = .own
        }
        let pollers: DumpPoller
        var receivePath = config.ioUring ? "io_uring rings" : "recvmsg"
        do {
            pollers = try DumpPoller(config: config, destination: destination)
        } catch let error as SystemError where config.ioUring && error.call == .ioUringSetup {
            guard config.ioUringFallback else { throw IOUringUnavailable(reason: "\(error)") }
            // A kernel without io_uring (or with it disabled by
            // kernel.io_uring_disabled): the syscall path, said once.
            logger.warning("xtcp: -ioUring: cannot set up a ring (\(error)): receiving with recvmsg instead")
            var recvmsg = config
            recvmsg.ioUring = false
            pollers = try DumpPoller(config: recvmsg, destination: destination)
            receivePath = "recvmsg"
        }
        let rings = pollers.rings
        if let first = rings.first {
            if let reason = first.fellBack {
                logger.warning("xtcp: -ioUringMultishot: \(reason): one receive per datagram instead")
            }
            logger.info("""
                xtcp: io_uring: \(rings.count) rings, \(config.ioUringWindow) dumps in flight each (\(first.mode.rawValue)), \
                \(rings.reduce(0) { $0 + $1.bufferBytes } / 1024) KiB of receive buffers in all
                """)
        }
        let netlinkers = "\(config.activeNetlinkers) netlinkers"
            + (config.activeNetlinkers < config.netlinkers ? " (one per CPU; -netlinkers \(config.netlinkers))" : "")
        logger.info("""
            xtcp \(XTCPVersion.daemon): polling \(scope == .all ? "every namespace" : "its own namespace") every \(config.frequency) \
            with \(netlinkers) shared by every namespace (\(receivePath)), \
            \(config.marshal.rawValue) to \(config.destination)
            """)
        // -closeEvents: subscriptions follow the polled namespaces.
        let closing = try config.closeEvents ? ClosingPollerSet(pollers, listener: CloseEventListener(config: config, destination: destination)) : nil
        try closing?.listener.start()
        let polled: any PollerSet = closing ?? pollers
        let namespaces = NamespaceFollower(pollers: polled, scope: scope, config: config, logger: logger)

        var template = FlatRecord()
        config.identity.stamp(&template)
        let clock = ContinuousClock()
        let start = clock.now
        var signal: Int32?
        var skippedTicks: UInt64 = 0
        while true {
            polls += 1
            let began = clock.now
            template.pollSequence = polls
            template.timestampNs = WallClock.nanoseconds()
            let ticket = PollTicket(deadline: began + config.timeout.duration, template: template)
            let change = namespaces.reconcile(when: "poll \(polls)")
            var (counts, problems) = polled.poll(ticket)
            problems += change.failed
            // Kafka's delivery reports of this and earlier polls' envelopes.
            counts.delivery += destination.takeLateCounts()
            problems += destination.takeProblems()
            totals += counts
            let elapsed = clock.now - began
            board.recordPoll(counts, seconds: elapsed.inSeconds, namespaces: pollers.count)
            logger.info("poll \(polls): \(elapsed.roundedMilliseconds) ms namespaces=\(pollers.count) \(counts.summary)")
            for problem in problems { logger.warning("poll \(polls): \(problem)", metadata: ["poll": "\(polls)"]) }

            if config.maxLoops > 0, polls >= UInt64(config.maxLoops) { break }
            // The next tick on the schedule, plus jitter; ticks a slow poll
            // overran are skipped, not run back to back.
            // Ticks already skipped count too: from `polls` alone, every
            // poll after a slow one would skip the same ticks again (a
            // 30 min soak said 5,900 skipped of 1,800 ticks).
            var next = start + config.frequency.duration * Int(polls + skippedTicks)
            while next < clock.now {
                next += config.frequency.duration
                skippedTicks += 1
            }
            next += config.frequency.duration * (Double.random(in: 0..<1) * Double(config.pollJitterPercent) / 100)
            let between = "between polls \(polls) and \(polls + 1)"
            if let taken = Self.waitForSignal(signals, until: next, clock: clock,
                                              checkingEvery: namespaces.followsBetweenPolls ? .milliseconds(100) : nil,
                                              { namespaces.betweenPolls(when: between) }) {
                signal = taken
                break
            }
        }
        polled.stopAll()
        if let late = closing?.takeLate() {
            totals += late.counts
            for problem in late.problems { logger.warning("shutdown: \(problem)") }
        }
        do { try destination.close() } catch { logger.error("closing \(config.destination): \(error)") }
        totals.delivery += destination.takeLateCounts()
        for problem in destination.takeProblems() { logger.warning("shutdown: \(problem)") }
        var ending = "xtcp: \(polls) polls"
        if let signal { ending += ", ended by \(signal == SIGTERM ? "SIGTERM" : "SIGINT")" }
        if skippedTicks > 0 { ending += ", \(skippedTicks) ticks skipped (a poll outran -frequency)" }
        logger.info("\(ending): \(totals.summary) peakRSS=\(ProcFiles.peakResidentKilobytes())kB")
        if let wholeRunProfile { logger.info("\(wholeRunProfile.finish())") }
        return signal
    }

    /// Waits until `deadline` unless SIGTERM or SIGINT comes first; with
    /// `checkingEvery`, wakes that often to run `check`.
    static func waitForSignal(_ signals: sigset_t, until deadline: ContinuousClock.Instant, clock: ContinuousClock,
                              checkingEvery slice: Duration? = nil, _ check: () -> Void = {}) -> Int32? {
        while true {
            let remaining = deadline - clock.now
            // At the deadline, still take a signal that arrived during the poll.
            if let taken = Syscall.waitForSignal(signals, timeout: max(.zero, min(remaining, slice ?? remaining))) { return taken }
            guard remaining > .zero else { return nil }
            // Time is up for this slice (the loop checks), or another
            // signal came: wait on.
            if slice != nil { check() }
        }
    }
}
