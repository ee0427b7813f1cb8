import Destinations
import Netlink
import Platform
import RecordFmt

/// `xtcp -capture FILE`: one dump of the namespace xtcp runs in, IPv4 then
/// IPv6, received as a poll's dumps are (the recvmsg path, with `-filter`
/// and `-states` in the request) and recorded as it comes: each request
/// and reply datagram a packet of a LINKTYPE_NETLINK pcapng, as nlmon
/// would see them, the section header naming this kernel's release (a
/// replay elsewhere decodes tcp_info by it). The records go nowhere: the
/// capture is the product.
public enum CaptureRunner {
    public struct Summary: Sendable {
        public var counts: PollCounts
        public var problems: [String]
    }

    public static func run(config: DaemonConfig, path: String) throws -> Summary {
        let writer: PcapngWriter
        do { writer = try PcapngWriter(path: path, application: "xtcp \(XTCPVersion.daemon)") } catch {
            throw OutputFile.OpenFailure(flag: "-capture", path: path, refusal: error)
        }
        let session = DumpSession(netlinker: 0, config: config, destination: NullDestination(),
                                  receiveTimeout: config.netlinkTimeout.duration)
        var writeError: SystemError?
        session.tap = { datagram, outgoing in
            do { try writer.write(datagram: datagram, outgoing: outgoing, timestampNanoseconds: UInt64(WallClock.nanoseconds())) } catch let error as SystemError {
                writeError = writeError ?? error
            } catch {}
        }
        var fields = FlatRecord()
        config.identity.stamp(&fields)
        fields.pollSequence = 1
        fields.timestampNs = WallClock.nanoseconds()
        let ticket = PollTicket(deadline: .now + config.timeout.duration, template: fields)
        let jobs = DumpShard.plan(partsPerFamily: 1, filter: config.filterBytecode, states: config.states).map {
            DumpJob(namespace: .own(), shard: $0, attributes: config.attributes)
        }
        session.beginPoll(deadline: ticket.deadline)
        RecvReceiver(packetSize: config.packetSize).dump(jobs, poll: ticket, into: session)
        let (counts, problems) = session.endPoll()
        if let writeError { throw writeError }
        return Summary(counts: counts, problems: problems)
    }
}
