import Destinations
import Netlink
import Platform
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
        public var format: CaptureReader.Format
        public var counts: PollCounts
        public var trailingBytes: Int
        /// What went wrong (a write to the destination), one line each.
        public var problems: [String]
        /// The signal that ended the replay before the capture's end.
        public var stoppedBy: Int32?
        /// The release tcp_info was decoded by (`-replayKernel`, else the
        /// capture's), or nil: then 6.18's layout was used.
        public var kernel: KernelRelease?
    }

    /// What a replay says when it ends: the sockets, the format and the
    /// kernel its tcp_info was read as, what cut it short or was skipped.
    public func summaryLine(_ summary: Summary, path: String) -> String {
        let decode = summary.counts.dumps.decode
        let delivery = summary.counts.delivery
        var line = "xtcp: replayed \(decode.sockets) sockets from \(path) (\(summary.format.rawValue)"
        if let kernel = summary.kernel {
            line += config.replayKernel != nil ? ", -replayKernel \(kernel))" : " of Linux \(kernel))"
        } else {
            line += ")"
        }
        if let signal = summary.stoppedBy { line += ", stopped by \(RunSignals.name(signal)) before its end," }
        if config.filter != nil || config.states != .all { line += ", \(delivery.records) kept by -filter and -states," }
        line += " in \(delivery.envelopes) batches"
        if decode.problems > 0 { line += "; \(decode.problems) bad messages or attributes skipped: \(decode)" }
        if summary.trailingBytes > 0, summary.stoppedBy == nil { line += "; capture truncated: \(summary.trailingBytes) trailing bytes ignored" }
        return line
    }

    /// `-replayKernel` over the release the capture records; neither: 6.18's
    /// layout, which the 280-byte tcp_info had first (and shorter ones do
    /// not reach the word that differs).
    func decoding(recorded: KernelRelease?) -> (config: DaemonConfig, kernel: KernelRelease?) {
        var config = config
        let kernel = config.replayKernel ?? recorded
        config.tcpInfoLayout = kernel.map(TCPInfoLayout.init(release:)) ?? .accecnHalves
        return (config, kernel)
    }

    public func run(path: String, into destination: any Destination) throws(CaptureReader.Error) -> Summary {
        var reader = try CaptureReader(path: path)
        return try run(&reader, into: destination)
    }

    /// Reads the capture to its end, one datagram at a time.
    public func run(_ capture: inout CaptureReader, into destination: any Destination) throws(CaptureReader.Error) -> Summary {
        let (config, kernel) = decoding(recorded: capture.kernelRelease)
        let (counts, problems) = try Self.replay(config, into: destination) { (body) throws(CaptureReader.Error) in try capture.forEachDatagram(body) }
        return Summary(format: capture.format, counts: counts, trailingBytes: capture.trailingBytes, problems: problems,
                       stoppedBy: capture.stoppedBy, kernel: kernel)
    }

    /// A capture already in memory (the tests').
    public func run(_ capture: CaptureFile, into destination: any Destination) -> Summary {
        let (config, kernel) = decoding(recorded: capture.kernelRelease)
        let (counts, problems) = Self.replay(config, into: destination) { body in
            for (index, datagram) in capture.datagrams.enumerated() {
                datagram.withUnsafeBytes { body($0, capture.timestampsNs[index]) }
            }
        }
        return Summary(format: capture.format, counts: counts, trailingBytes: capture.trailingBytes, problems: problems, stoppedBy: nil,
                       kernel: kernel)
    }

    /// The datagrams `feed` hands on, through one dump session.
    private static func replay<E: Error>(_ config: DaemonConfig, into destination: any Destination,
                                  _ feed: ((UnsafeRawBufferPointer, Int64) -> Void) throws(E) -> Void) throws(E) -> (PollCounts, [String]) {
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
        try feed { datagram, timestamp in
            session.retime(job, nanoseconds: timestamp)
            if session.receive(datagram, for: job) == .ended {
                dump &+= 1
                beginDump()
            }
        }
        session.sourceEnded(job)
        return session.endPoll()
    }
}
