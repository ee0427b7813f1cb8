import Destinations
import Netlink
import RecordFmt

/// `xtcp -replay FILE`: every socket of a recorded dump (pcap or `ss -D`
/// file), fed to a dump session as if it had just been polled, the
/// datagrams in capture order, each stamped with the time it was
/// captured. The capture was taken unfiltered, so `-filter` and `-states`
/// select rows here, as the kernel would have in a live poll.
public struct ReplayRunner {
    public var config: DaemonConfig

    public init(config: DaemonConfig) {
        self.config = config
    }

    public struct Summary: Sendable {
        public var format: CaptureFile.Format
        public var counts: PollCounts
        public var trailingBytes: Int
        /// What went wrong (a write to the destination), one line each.
        public var problems: [String]
    }

    public func run(path: String, into destination: any Destination) throws -> Summary {
        try run(CaptureFile(path: path), into: destination)
    }

    public func run(_ capture: CaptureFile, into destination: any Destination) -> Summary {
        let session = DumpSession(netlinker: 0, config: config, destination: destination,
                                  selection: RowSelection(filter: config.filter, states: config.states == .all ? nil : config.states))
        session.beginPoll(deadline: nil)
        var fields = FlatRecord()
        config.identity.stamp(&fields)
        let job = DumpJob(namespace: PolledNamespace(name: "", inode: 0, path: nil), shard: nil, attributes: config.attributes)
        // Each dump of the capture (up to its NLMSG_DONE or NLMSG_ERROR) is
        // numbered as a poll of its own.
        var dump: UInt64 = 1
        func beginDump() {
            fields.pollSequence = dump
            session.begin(job, stamp: PollStamp(fields))
        }
        beginDump()
        for (index, datagram) in capture.datagrams.enumerated() {
            session.retime(job, nanoseconds: capture.timestampsNs[index])
            if datagram.withUnsafeBytes({ session.receive($0, for: job) }) == .ended {
                dump &+= 1
                beginDump()
            }
        }
        session.sourceEnded(job)
        let (counts, problems) = session.endPoll()
        return Summary(format: capture.format, counts: counts, trailingBytes: capture.trailingBytes, problems: problems)
    }
}
