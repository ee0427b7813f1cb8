/// Reads of the enrichment sources read outside the dump sessions (the
/// uplinks' NICs, lldpd, a container runtime's API), and the reads that
/// failed, since the last poll.
public struct EnrichCounts: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var reads: UInt64 = 0
        public var failures: UInt64 = 0

        public init(reads: UInt64 = 0, failures: UInt64 = 0) {
            self.reads = reads
            self.failures = failures
        }

        public static func += (a: inout Source, b: Source) {
            a.reads += b.reads
            a.failures += b.failures
        }
    }

    /// `-enrichNic`: reads of the uplinks (at start and on link or route
    /// changes); uplinks named or routed that could not be read.
    public var nic = Source()
    /// `-enrichLldp`: exchanges with lldpd (at start and on each of its
    /// change notifications); those that failed.
    public var lldp = Source()
    /// `-enrichContainer`: container lists read from the runtime's API;
    /// those that failed.
    public var docker = Source()

    public init() {}

    public static func += (a: inout EnrichCounts, b: EnrichCounts) {
        a.nic += b.nic
        a.lldp += b.lldp
        a.docker += b.docker
    }
}
