/// Why an envelope was handed to the destination.
public enum FlushReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    case rows, bytes, endOfDump, shutdown, timeout

    public var description: String {
        switch self {
        case .rows: return "rows"
        case .bytes: return "bytes"
        case .endOfDump: return "end"
        case .shutdown: return "shutdown"
        case .timeout: return "timeout"
        }
    }
}

/// Why an envelope was lost.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// The destination refused the write (file, stdout, udp errors).
    case writeError
    /// Kafka's local queue stayed full past the wait bound.
    case queueFull
    /// Kafka gave up delivering it (broker down past message.timeout.ms).
    case deliveryFailed
    /// Still queued for Kafka when the shutdown flush timed out.
    case shutdown
    /// Larger than the destination takes (a UDP datagram).
    case tooLarge
    /// Kafka timed it out while it was in flight: the broker may have
    /// written it (librdkafka's POSSIBLY_PERSISTED), so it may be in the
    /// topic. Lost or not, nobody can say; counted apart from the sure losses.
    case unconfirmed
    /// A pipe's, a FIFO's or a terminal's reader made no room for it in
    /// time (by the poll's deadline).
    case stalled
    /// A stream's peer (tcp:, unix:) was not connected: dropped until a
    /// reconnect, which is tried with backoff.
    case unreachable

    public var description: String {
        switch self {
        case .writeError: return "write error"
        case .queueFull: return "queue full"
        case .deliveryFailed: return "delivery failed"
        case .shutdown: return "shutdown"
        case .tooLarge: return "too large"
        case .unconfirmed: return "unconfirmed"
        case .stalled: return "stalled"
        case .unreachable: return "unreachable"
        }
    }
}
