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

    init(namespace: PolledNamespace, shard: DumpShard) {
        self.namespace = namespace
        self.shard = shard
    }
}
