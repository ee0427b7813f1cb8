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

    static let taken: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM]

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
