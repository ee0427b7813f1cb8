import CKernelABI

/// The TCP states a dump asks for (`-states`), by `ss`'s names: the
/// request's `idiag_states` bit set, so the kernel never visits a socket
/// in another state.
public struct TCPStateSet: Equatable, Sendable, CustomStringConvertible {
    public var mask: UInt32

    public init(mask: UInt32) { self.mask = mask }

    public static let all = TCPStateSet(mask: InetDiagRequest.allStates)

    static func bit(_ state: Int) -> UInt32 { 1 << UInt32(state) }

    /// Whether a socket in `state` (inet_diag_msg's idiag_state) is one of
    /// these: what the kernel decides with the request's bits, decided the
    /// same way for what it did not choose (a replayed capture).
    @inline(__always)
    public func contains(state: UInt32) -> Bool { state < 32 && mask & (1 << state) != 0 }

    /// `ss`'s state names and groups (ss(8), "STATE-FILTER"). syn-recv
    /// includes the request sockets a listener holds (TCP_NEW_SYN_RECV),
    /// which ss lists as SYN-RECV too.
    public static let names: [(name: String, mask: UInt32)] = {
        let single: [(String, Int)] = [
            ("established", XTCP_TCP_ESTABLISHED), ("syn-sent", XTCP_TCP_SYN_SENT),
            ("fin-wait-1", XTCP_TCP_FIN_WAIT1), ("fin-wait-2", XTCP_TCP_FIN_WAIT2),
            ("time-wait", XTCP_TCP_TIME_WAIT), ("closed", XTCP_TCP_CLOSE), ("close-wait", XTCP_TCP_CLOSE_WAIT),
            ("last-ack", XTCP_TCP_LAST_ACK), ("listening", XTCP_TCP_LISTEN), ("closing", XTCP_TCP_CLOSING),
            ("bound-inactive", XTCP_TCP_BOUND_INACTIVE),
        ]
        var names = single.map { ($0.0, bit($0.1)) }
        let synRecv = bit(XTCP_TCP_SYN_RECV) | bit(XTCP_TCP_NEW_SYN_RECV)
        names.append(("syn-recv", synRecv))
        let all = InetDiagRequest.allStates
        let bucket = synRecv | bit(XTCP_TCP_TIME_WAIT)
        let connected = all & ~(bit(XTCP_TCP_LISTEN) | bit(XTCP_TCP_CLOSE) | bit(XTCP_TCP_BOUND_INACTIVE))
        names += [
            ("all", all),
            ("connected", connected),
            ("synchronized", connected & ~bit(XTCP_TCP_SYN_SENT)),
            ("bucket", bucket),
            ("big", all & ~bucket),
        ]
        return names
    }()

    /// Comma-separated names, e.g. `established,syn-sent` or `connected`.
    public init(parsing text: String) throws(StateNameError) {
        var mask: UInt32 = 0
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = String(name.filter { !$0.isWhitespace }).lowercased()
            guard let entry = Self.names.first(where: { $0.name == word }) else { throw StateNameError(name: String(name)) }
            mask |= entry.mask
        }
        self.mask = mask
    }

    public struct StateNameError: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "unknown state \"\(name)\": expected a comma-separated list of \(TCPStateSet.names.map(\.name).joined(separator: ", "))"
        }
    }

    /// The fewest names that give this set: a group when it is exact, else
    /// every single state.
    public var description: String {
        if let group = Self.names.first(where: { $0.mask == mask }) { return group.name }
        return Self.names.filter { $0.mask & mask == $0.mask && $0.mask.nonzeroBitCount <= 2 }
            .map(\.name).joined(separator: ",")
    }
}
