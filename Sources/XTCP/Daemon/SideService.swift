import Destinations
import Logging

/// Something that runs beside the poll loop, on threads of its own (the
/// gRPC API): started by the daemon with its HTTP listener, before the
/// destination opens (a start that fails leaves a running daemon's output
/// alone), and stopped when the run ends.
public protocol SideService: AnyObject {
    func stop()
}

/// Starts a side service with the daemon's parts; what it throws ends the
/// start (a port in use).
public typealias SideServiceStarter = @Sendable (DaemonHandles) throws -> any SideService

/// What a side service may use of the daemon: none of it runs on a
/// netlinker thread, and nothing here makes a poll wait.
public struct DaemonHandles: Sendable {
    public let config: DaemonConfig
    public let logger: Logger
    /// Polls on demand, the live frequency and timeout.
    public let control: PollControl
    /// Every poll's records, for live subscribers.
    public let records: RecordStream
    /// What `/metrics` shows; `addSource` adds to it.
    public let board: MetricsBoard
    /// The destination, once open.
    public let destination: OpenedDestination

    /// Whether the daemon is ready, as `/readyz` says it.
    public func readiness() -> (ready: Bool, reason: String) {
        OperatorEndpoints(board: board, destination: destination, config: config, logger: logger, control: control).readiness(board.snapshot)
    }
}
