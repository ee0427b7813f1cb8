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
    /// `-profile.mode cpu`'s profile could not be written.
    public private(set) var profileLost = false
    /// Polls asked for from outside the schedule, and its live timing.
    public let control: PollControl
    /// Every poll's records, and close events, for live subscribers.
    public let records = RecordStream()
    /// What runs beside the loop (the gRPC API), started with the HTTP
    /// listener, before the destination opens.
    private let sideServices: [SideServiceStarter]

    /// What a run that ended by itself (`-maxLoops`) lost: envelopes
    /// dropped, or the profile; nil when nothing. A run ended by a signal
    /// was stopped by its operator, and its losses are in its last line.
    public func losses(endedBy signal: Int32?) -> DataLost? {
        guard signal == nil, totals.envelopesDropped > 0 || profileLost else { return nil }
        var what: [String] = []
        if totals.envelopesDropped > 0 {
            what.append("\(totals.envelopesDropped) of \(totals.delivery.envelopes) envelopes (\(totals.delivery.rowsDropped) rows) were not delivered")
        }
        if profileLost { what.append("the CPU profile was not written") }
        // The run's last line said so already (and scripts read it as the last).
        return DataLost(description: what.joined(separator: "; "), said: true)
    }

    /// Logs through `logger`: a line per poll at info, what went wrong at
    /// warning or error with the poll it happened in, the configuration
    /// and every HTTP request at debug.
    public init(config: DaemonConfig, logger: Logger, sideServices: [SideServiceStarter] = []) {
        self.config = config
        self.logger = logger
        self.sideServices = sideServices
        control = PollControl(timing: .init(frequency: config.frequency.duration, timeout: config.timeout.duration,
                                            timeoutFollowsFrequency: config.timeoutFollowsFrequency))
    }

    /// Runs until done; returns the signal that ended it, if one did.
    @discardableResult
    public func run() throws -> Int32? {
        // Exactly these blocked, inherited by every thread started after:
        // a parent's mask (a test runner's blocks nearly everything) would
        // otherwise silence the profiler's SIGPROF and stack signal.
        RunSignals.block()
        let signals = DaemonSignal.set

        // Envelope buffers (hundreds of KiB) come and go with namespaces:
        // a fixed mmap threshold keeps them mmapped, so a freed one goes
        // back to the kernel (glibc's sliding threshold would move them to
        // the heap after the first free, where they fragment and stay).
        Malloc.fixMmapThreshold(bytes: 128 * 1024)
        for line in config.lines { logger.debug("config: \(line)") }
        if let before = OpenFilesLimit.raiseToHard() {
            logger.debug("xtcp: open files limit raised from \(before.soft) to \(before.hard) (RLIMIT_NOFILE's hard limit)")
        }
        _ = ProcessFigures.startTime
        let board = MetricsBoard()
        // Every other start check before the destination opens: a start
        // that fails (a port in use) must not touch a running daemon's
        // output, and the listener answers while a broker is awaited.
        let opened = OpenedDestination()
        let listener = try config.promListen.map { address in
            try HTTPListener(address: address, handler: OperatorEndpoints(board: board, destination: opened, config: config, logger: logger, control: control).answer)
        }
        defer { listener?.stop() }
        let handles = DaemonHandles(config: config, logger: logger, control: control, records: records, board: board, destination: opened)
        var started: [any SideService] = []
        defer { for service in started.reversed() { service.stop() } }
        for starter in sideServices { started.append(try starter(handles)) }
        let wholeRunProfile = config.profileWholeRun ? try WholeRunProfile(path: config.profilePath) : nil
        let destination = try config.openDestination()
        opened.set(destination)
        var scope = config.namespaces
        if scope == .all, let missing = Privileges.current().missingForOtherNamespaces {
            logger.warning("xtcp: \(missing): only the namespace xtcp runs in will be polled")
            scope = .own
        }
        // -enrichContainer: one naming for every netlinker's cgroup index.
        let containers = config.enrichContainer && config.resolveContainerID ? DockerContainers(socket: config.dockerSocket) : nil
        try containers?.follow()
        defer { containers?.stop() }
        let pollers: DumpPoller
        var receivePath = config.ioUring ? "io_uring rings" : "recvmsg"
        do {
            pollers = try DumpPoller(config: config, destination: destination, names: containers, stream: records)
        } catch let error as SystemError where config.ioUring && error.call == .ioUringSetup {
            guard config.ioUringFallback else { throw IOUringUnavailable(reason: "\(error)") }
            // A kernel without io_uring (or with it disabled by
            // kernel.io_uring_disabled): the syscall path, said once.
            logger.warning("xtcp: -ioUring: cannot set up a ring (\(error)): receiving with recvmsg instead")
            var recvmsg = config
            recvmsg.ioUring = false
            pollers = try DumpPoller(config: recvmsg, destination: destination, names: containers, stream: records)
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
        let closing = try config.closeEvents ? ClosingPollerSet(pollers, listener: CloseEventListener(config: config, destination: destination, names: containers, stream: records)) : nil
        try closing?.listener.start()
        let polled: any PollerSet = closing ?? pollers
        let namespaces = NamespaceFollower(pollers: polled, scope: scope, config: config, logger: logger)

        // Under systemd's Type=notify: READY=1 after the first poll (every
        // namespace dumped once), WATCHDOG=1 and the poll line each poll.
        let systemd = SystemdNotify()
        if let watchdog = systemd?.watchdog, watchdog <= config.frequency.duration {
            logger.warning("xtcp: systemd's WatchdogSec (\(watchdog)) is not longer than -frequency \(config.frequency): it will kill xtcp between polls")
        }
        var template = FlatRecord()
        config.identity.stamp(&template)
        // -enrichNic, -enrichLldp: read in xtcp's own namespace, the host's
        // in production.
        let uplinks = (config.enrichNIC || config.enrichLLDP) && config.uplinkCount > 0
            ? Uplinks(interfaces: config.uplinkInterfaces, count: config.uplinkCount, readsNICs: config.enrichNIC,
                      neighbours: config.enrichLLDP ? LldpNeighbors(socket: config.lldpdSocket) : nil)
            : nil
        if let uplinks {
            try uplinks.follow()
            uplinks.stamp(&template)
            if uplinks.missing { logger.warning("xtcp: uplinks: \(config.uplinkInterfaces.joined(separator: ",")) not all found; their columns stay empty") }
        }
        let clock = ContinuousClock()
        var schedule = PollSchedule(start: clock.now, frequency: config.frequency.duration, jitterPercent: config.pollJitterPercent)
        control.attach(.current())
        defer { control.stop() }
        var signal: Int32?
        polling: while true {
            polls += 1
            let began = clock.now
            schedule.pollBegins(at: began)
            control.pollBegins(polls, at: began)
            records.pollBegan(polls)
            if let uplinks, uplinks.refreshIfChanged() { uplinks.stamp(&template) }
            template.pollSequence = polls
            template.timestampNs = WallClock.nanoseconds()
            let ticket = PollTicket(deadline: began + control.timing.timeout, template: template)
            let change = namespaces.reconcile(when: "poll \(polls)")
            var (counts, problems) = polled.poll(ticket)
            if let uplinks {
                counts.dumps.sources += uplinks.takeCounts()
                if let problem = uplinks.takeProblem() { problems.append(problem) }
            }
            if let containers {
                counts.dumps.sources.docker = containers.takeCounts()
                if let problem = containers.takeProblem() { problems.append(problem) }
            }
            problems += change.failed
            // Kafka's delivery reports of this and earlier polls' envelopes.
            counts.delivery += destination.takeLateCounts()
            problems += destination.takeProblems()
            totals += counts
            records.pollEnded(polls)
            control.pollEnded(polls)
            let elapsed = clock.now - began
            board.recordPoll(counts, seconds: elapsed.inSeconds, namespaces: pollers.count)
            logger.info("poll \(polls): \(elapsed.roundedMilliseconds) ms namespaces=\(pollers.count) \(counts.summary)")
            for problem in problems { logger.warning("poll \(polls): \(problem)", metadata: ["poll": "\(polls)"]) }
            systemd?.send((polls == 1 ? "READY=1\n" : "") + (systemd?.watchdog != nil ? "WATCHDOG=1\n" : "")
                          + "STATUS=poll \(polls): \(counts.dumps.decode.sockets) sockets in \(pollers.count) namespaces")

            if config.maxLoops > 0, polls >= UInt64(config.maxLoops) { break }
            // Ticks a slow poll overran are skipped, not run back to back.
            schedule.pollEnded(at: clock.now)
            if let ended = destination.ended {
                logger.error("xtcp: \(ended): the run ends")
                break
            }
            let between = "between polls \(polls) and \(polls + 1)"
            // Until the next tick (plus its jitter), or a poll asked for
            // sooner; a wake (something asked) looks again.
            while true {
                if let timing = control.takeTimingChange(), timing.frequency != schedule.frequency {
                    schedule.retime(timing.frequency, now: clock.now)
                    logger.info("xtcp: polling every \(timing.frequency.goSpelling) (timeout \(timing.timeout.goSpelling)) from now")
                }
                let now = clock.now
                let next = min(schedule.wakeAt, control.askedFor(now: now) ?? schedule.wakeAt)
                if next <= now { break }
                switch waitForStop(signals, until: next, clock: clock, destination: destination,
                                   checkingEvery: namespaces.followsBetweenPolls ? .milliseconds(100) : nil,
                                   { namespaces.betweenPolls(when: between) }) {
                case .stopped(let taken):
                    signal = taken
                    break polling
                case .due: break
                case .woken: continue
                }
                break
            }
        }
        systemd?.send("STOPPING=1")
        polled.stopAll()
        if let late = closing?.takeLate() {
            totals += late.counts
            for problem in late.problems { logger.warning("shutdown: \(problem)") }
        }
        do { try destination.close() } catch { logger.error("closing \(config.destination): \(error)") }
        totals.delivery += destination.takeLateCounts()
        for problem in destination.takeProblems() { logger.warning("shutdown: \(problem)") }
        var ending = "xtcp: \(polls) polls"
        if let signal { ending += ", ended by \(DaemonSignal.name(signal))" }
        if schedule.skipped > 0 { ending += ", \(schedule.skipped) ticks skipped (a poll outran -frequency)" }
        logger.info("\(ending): \(totals.summary) peakRSS=\(ProcFiles.peakResidentKilobytes())kB")
        if let (line, written) = wholeRunProfile?.finish() {
            if written { logger.info("\(line)") } else { logger.error("\(line)") }
            profileLost = !written
        }
        return signal
    }

    /// How a wait between polls ended.
    enum WaitEnd {
        /// A signal that stops the run.
        case stopped(Int32)
        /// The deadline came.
        case due
        /// `ThreadWake`: something was asked; look again.
        case woken
    }

    /// Waits until `deadline` unless a signal that stops the run, or a
    /// wake, comes first; the other signals are answered on the way (SIGHUP
    /// reopens files, SIGUSR1 says the totals). With `checkingEvery`, wakes
    /// that often to run `check`.
    func waitForStop(_ signals: sigset_t, until deadline: ContinuousClock.Instant, clock: ContinuousClock, destination: any Destination,
                     checkingEvery slice: Duration? = nil, _ check: () -> Void = {}) -> WaitEnd {
        while true {
            let remaining = deadline - clock.now
            // At the deadline, still take a signal that arrived during the poll.
            if let taken = Syscall.waitForSignal(signals, timeout: max(.zero, min(remaining, slice ?? remaining))) {
                switch DaemonSignal(taken) {
                case .stop(let signal): return .stopped(signal)
                case .wake: return .woken
                case .reopen:
                    do {
                        let reopened = try destination.reopen()
                        logger.info("xtcp: SIGHUP: \(reopened.map { "reopened \($0)" } ?? "nothing to reopen (-dest \(config.destination))")")
                    } catch {
                        logger.error("xtcp: SIGHUP: \(error); writing on to the file already open")
                    }
                case .report:
                    logger.info("xtcp: SIGUSR1: \(polls) polls so far: \(totals.summary) peakRSS=\(ProcFiles.peakResidentKilobytes())kB")
                case .ignore(let signal):
                    logger.info("xtcp: \(DaemonSignal.name(signal)) ignored (SIGTERM, SIGINT or SIGQUIT end the run; SIGHUP reopens files)")
                }
                continue
            }
            guard remaining > .zero else { return .due }
            // Time is up for this slice (the loop checks): wait on.
            if slice != nil { check() }
        }
    }
}

/// A run that lost data: the records of envelopes it dropped, or its
/// profile. Exit code 5, so that a script or a unit's `ExecStopPost` can
/// tell a run that lost data from one that did not.
public struct DataLost: Error, CustomStringConvertible {
    public var description: String
    /// The loss is in a line already written (the daemon's last line).
    public var said: Bool
    public init(description: String, said: Bool = false) {
        self.description = description
        self.said = said
    }
}
