import Destinations
import Logging
import Synchronization

/// What the operator's HTTP listener answers: the metrics at `-promPath`,
/// `/healthz` (the process answers) and `/readyz` (polls are coming, and
/// the last one lost nothing), 404 for anything else.
struct OperatorEndpoints: Sendable {
    let board: MetricsBoard
    let destination: OpenedDestination
    let promPath: String
    let limits: PrometheusText.Limits
    /// The frequency and timeout as set now (the gRPC API changes them).
    let timing: @Sendable () -> PollControl.Timing
    let logger: Logger

    init(board: MetricsBoard, destination: OpenedDestination, config: DaemonConfig, logger: Logger, control: PollControl? = nil) {
        self.logger = logger
        self.board = board
        self.destination = destination
        promPath = config.promPath
        limits = PrometheusText.Limits(maxNamespaces: config.maxNamespaces, pollIntervalSeconds: config.frequency.duration.inSeconds)
        let fixed = PollControl.Timing(frequency: config.frequency.duration, timeout: config.timeout.duration, timeoutFollowsFrequency: false)
        timing = { control?.timing ?? fixed }
    }

    /// A poll older than this means polling has stopped: two periods and
    /// the poll's own time limit.
    var staleAfter: Duration {
        let now = timing()
        return now.frequency * 2 + now.timeout
    }

    func answer(_ request: HTTPListener.Request) -> HTTPListener.Reply {
        logger.debug("http: \(request.method) \(request.path)\(request.query.isEmpty ? "" : "?" + request.query)")
        if request.path.hasPrefix(DebugEndpoints.prefix) || request.path == "/debug/pprof" {
            return DebugEndpoints().answer(request)
        }
        return .now(immediate(request))
    }

    private func immediate(_ request: HTTPListener.Request) -> HTTPListener.Response {
        switch request.path {
        case promPath:
            return .init(status: 200, contentType: PrometheusText.contentType, body: PrometheusText.render(board.snapshot, destination: destination.current, others: board.otherMetrics, limits: limits))
        case "/healthz":
            return .init(status: 200, body: "ok\n")
        case "/readyz":
            let (ready, reason) = readiness(board.snapshot)
            return .init(status: ready ? 200 : 503, body: reason + "\n")
        default:
            return .init(status: 404, body: "not found: \(request.path) (try \(promPath), /healthz, /readyz, \(DebugEndpoints.prefix))\n")
        }
    }

    func readiness(_ snapshot: MetricsBoard.Snapshot, now: ContinuousClock.Instant = .now) -> (Bool, String) {
        guard let ended = snapshot.lastPollEnded else { return (false, "no poll has finished yet") }
        if now - ended > staleAfter { return (false, "no poll has finished for \(now - ended)") }
        let last = snapshot.lastPoll
        if last.envelopesDropped > 0 {
            return (false, "the last poll lost \(last.envelopesDropped) envelopes (\(last.summary))")
        }
        if last.dumpsIncomplete > 0 { return (false, "the last poll left \(last.dumpsIncomplete) dumps incomplete") }
        if let why = destination.current?.unready { return (false, why) }
        return (true, "ready: poll \(snapshot.polls) took its sockets to the destination")
    }
}

/// The destination once it is open, for `/metrics`: the listener starts
/// before it (so that it answers while a broker is awaited, and a start
/// that fails leaves a running daemon's output alone).
public final class OpenedDestination: Sendable {
    private let destination = Mutex<(any Destination)?>(nil)

    init() {}

    func set(_ opened: any Destination) { destination.withLock { $0 = opened } }

    public var current: (any Destination)? { destination.withLock { $0 } }
}
