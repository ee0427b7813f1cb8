/// One part of a namespace's dump, sent on its own socket: an address
/// family and a kernel-side port filter. The shards of a plan cover every
/// TCP socket of the namespace exactly once, so N netlinkers can dump in
/// parallel (kernel ≥ 6.9 fills dumps on different sockets concurrently)
/// without racing on one socket, and no row is lost or doubled.
///
/// Why ports, and which: the bytecode can compare ports but not hash them,
/// so the split follows each socket's ephemeral-looking port, the one that
/// varies from socket to socket. A socket whose source port is ≥ 32768 (a
/// client's, or a server's on a high port) is placed by its source port; any
/// other (a server's on a low port, a listener) by its destination port.
/// Both tests are disjoint, and each side's ranges partition 0...65535, so
/// every socket lands in exactly one shard whatever the host's mix; a
/// server with all connections on port 443 still spreads over the shards by
/// its clients' ports, which a split by source port alone would not.
public struct DumpShard: Sendable, Equatable, CustomStringConvertible {
    public var family: InetDiagRequest.Family
    /// The ports this shard takes (of the port that places a socket).
    public var ports: ClosedRange<UInt16>
    /// nil: the whole family.
    public var bytecode: [UInt8]?
    /// The TCP states asked for (`-states`).
    public var states: UInt32 = InetDiagRequest.allStates

    /// The dump request for this shard.
    public func request(attributes: DiagAttributeSet, sequence: UInt32) -> InetDiagRequest {
        var request = InetDiagRequest(family: family, attributes: attributes, sequence: sequence)
        request.bytecode = bytecode
        request.states = states
        return request
    }

    public var description: String {
        let name = family == .inet ? "inet" : "inet6"
        return ports == 0...UInt16.max ? name : "\(name) ports \(ports.lowerBound)-\(ports.upperBound)"
    }

    /// Where the placing port switches from destination to source.
    public static let ephemeralFloor: UInt16 = 32768

    /// `partsPerFamily` shards for each family: 1 is a plain dump of each.
    /// Boundaries divide the ephemeral range, where the placing ports lie.
    /// `filter` (an operator's `-filter`, compiled) is joined to each
    /// shard's own program, so every shard dumps its part of the sockets
    /// the filter keeps.
    public static func plan(partsPerFamily parts: Int, filter: [UInt8]? = nil, states: TCPStateSet = .all) -> [DumpShard] {
        precondition(parts >= 1 && parts <= 256)
        var shards: [DumpShard] = []
        for family in InetDiagRequest.Family.allCases {
            guard parts > 1 else {
                shards.append(DumpShard(family: family, ports: 0...UInt16.max, bytecode: filter, states: states.mask))
                continue
            }
            let floor = Int(ephemeralFloor)
            let width = (65536 - floor) / parts
            for part in 0..<parts {
                let low = part == 0 ? 0 : floor + part * width
                let high = part == parts - 1 ? 65535 : floor + (part + 1) * width - 1
                let part = portFilter(low: UInt16(low), high: UInt16(high))
                shards.append(DumpShard(family: family, ports: UInt16(low)...UInt16(high),
                                        bytecode: filter.map { FilterBytecode.and($0, part) } ?? part, states: states.mask))
            }
        }
        return shards
    }

    /// (sport ≥ 32768 ∧ sport ∈ low...high) ∨ (sport < 32768 ∧ dport ∈ low...high),
    /// without the comparisons that always hold, compiled as any `-filter` is.
    static func portFilter(low: UInt16, high: UInt16) -> [UInt8] {
        func all(_ tests: [SocketFilter]) -> SocketFilter { tests.dropFirst().reduce(tests[0]) { .and($0, $1) } }
        var clauses: [SocketFilter] = []
        if high >= ephemeralFloor {
            var bySource: [SocketFilter] = [.port(.source, .greaterOrEqual, max(low, ephemeralFloor))]
            if high < UInt16.max { bySource.append(.port(.source, .lessOrEqual, high)) }
            clauses.append(all(bySource))
        }
        var byDestination: [SocketFilter] = [.port(.source, .lessOrEqual, ephemeralFloor - 1)]
        if low > 0 { byDestination.append(.port(.destination, .greaterOrEqual, low)) }
        if high < UInt16.max { byDestination.append(.port(.destination, .lessOrEqual, high)) }
        clauses.append(all(byDestination))
        // A handful of comparisons: far below the kernel's bound.
        return FilterBytecode.build(clauses.dropFirst().reduce(clauses[0]) { .or($0, $1) })
    }
}
