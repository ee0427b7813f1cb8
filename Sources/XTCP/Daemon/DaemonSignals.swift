import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The signals the daemon takes, and what each means. Every one is blocked
/// in every thread and taken with sigtimedwait between polls, so none
/// lands in the middle of a write, and none has its default action (to
/// die without a flush or a summary; for SIGQUIT, the Swift runtime's
/// "Program crashed" report).
enum DaemonSignal {
    /// SIGTERM, SIGINT, SIGQUIT: end the run as at -maxLoops (the poll
    /// finishes, envelopes are flushed and delivered, the summary said).
    case stop(Int32)
    /// SIGHUP: reopen `file:` destinations (logrotate's postrotate).
    case reopen
    /// SIGUSR1: say the run's totals so far.
    case report
    /// SIGUSR2, SIGALRM: nothing to do; said, so that a stray kill is seen.
    case ignore(Int32)
    /// `ThreadWake`'s signal: a poll was asked for, or the schedule
    /// changed (the gRPC API); the loop looks again.
    case wake

    static let taken: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, ThreadWake.signal]

    static var set: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in taken { sigaddset(&signals, signal) }
        return signals
    }

    init(_ signal: Int32) {
        switch signal {
        case SIGHUP: self = .reopen
        case SIGUSR1: self = .report
        case SIGUSR2, SIGALRM: self = .ignore(signal)
        case ThreadWake.signal: self = .wake
        default: self = .stop(signal)
        }
    }

    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        case SIGALRM: "SIGALRM"
        default: "signal \(signal)"
        }
    }
}

/// The daemon's signals for a run outside its loop (`-replay`): blocked
/// the same way, and taken when the run asks, between reads.
public enum RunSignals {
    /// Exactly the taken signals blocked in this thread and every thread
    /// started after it (a parent's mask is not inherited as it was).
    public static func block() {
        var signals = DaemonSignal.set
        pthread_sigmask(SIG_SETMASK, &signals, nil)
    }

    /// A stop signal (SIGTERM, SIGINT, SIGQUIT) that has arrived, taken;
    /// any other taken signal that has arrived is said and dropped.
    public static func pendingStop() -> Int32? {
        while let taken = Syscall.waitForSignal(DaemonSignal.set, timeout: .zero) {
            switch DaemonSignal(taken) {
            case .stop(let signal): return signal
            case .wake: continue
            default: break
            }
            LogFormat.say("xtcp: \(DaemonSignal.name(taken)) ignored (SIGTERM, SIGINT or SIGQUIT end the run)")
        }
        return nil
    }

    public static func name(_ signal: Int32) -> String { DaemonSignal.name(signal) }
}
