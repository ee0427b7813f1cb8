import Netlink
import RecordFmt

/// One source of rows that a session decodes: a dump of one shard of one
/// namespace (polled every poll, kept as long as its namespace is, so that
/// its socket is opened once and reused), a namespace's close-event
/// subscription, or a capture being replayed. Touched by one thread at a
/// time: the netlinker dumping it this poll (or the close-event thread).
final class DumpJob {
    let namespace: PolledNamespace
    /// The part of the namespace's sockets it dumps; nil for a stream of
    /// events or a capture, which are not asked for.
    let shard: DumpShard?
    var socket: NetlinkSocket?
    /// `-changesOnly`: what was last sent for each of its sockets.
    var changes: ChangeTable?

    // The current dump's, set when it begins (`DumpSession.begin`).
    var stamp: PollStamp
    /// Which stamp this is, numbered by the session that made it.
    var stampID: UInt64 = 0
    var decoder: DumpDecoder
    /// This dump sends every socket (not only the changed ones).
    var full = true
    var started = ContinuousClock.now

    init(namespace: PolledNamespace, shard: DumpShard?, changes: ChangeTable? = nil, attributes: DiagAttributeSet = .defaultSet) {
        self.namespace = namespace
        self.shard = shard
        self.changes = changes
        stamp = PollStamp(FlatRecord())
        decoder = DumpDecoder(attributes: attributes)
    }

    /// `web inet ports 0-49151`, as problems name it.
    var name: String { shard.map { "\(namespace.name) \($0)" } ?? namespace.name }
}
