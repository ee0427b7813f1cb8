import Netlink
import RecordFmt

/// One shard of one namespace, dumped by a ring netlinker at every poll.
/// Lives as long as its namespace is polled, so that its socket is opened
/// once (in the namespace) and reused.
final class RingJob {
    let namespace: PolledNamespace
    let shard: DumpShard
    var socket: NetlinkSocket?
    // This poll's state, set by `begin`.
    var template = FlatRecord()
    var pollFields: EncodedPollFields?
    var decoder = DumpDecoder(attributes: .defaultSet)
    /// `-changesOnly`: what was last sent for each socket of the shard.
    var changes: ChangeTable?
    /// This poll sends every socket (not only the changed ones).
    var full = true

    init(namespace: PolledNamespace, shard: DumpShard, changes: ChangeTable? = nil) {
        self.namespace = namespace
        self.shard = shard
        self.changes = changes
    }
}
