import CKernelABI

/// Builds the sock_diag dump request: nlmsghdr + inet_diag_req_v2 for one
/// address family, TCP, the requested TCP states, and `idiag_ext` bits
/// derived from the enabled attribute decoders.
public struct InetDiagRequest: Sendable, Equatable {
    public enum Family: UInt8, CaseIterable, Sendable {
        case inet = 2    // AF_INET
        case inet6 = 10  // AF_INET6
    }

    /// Every TCP state (TCP_ESTABLISHED ... TCP_NEW_SYN_RECV, BOUND_INACTIVE).
    public static let allStates: UInt32 = (1 << UInt32(XTCP_TCP_MAX_STATES)) - 2

    public var family: Family
    public var states: UInt32 = allStates
    public var ext: UInt8
    public var sequence: UInt32

    public init(family: Family, attributes: DiagAttributeSet = .defaultSet, sequence: UInt32) {
        self.family = family
        self.ext = attributes.requestExt
        self.sequence = sequence
    }

    public static let size = Int(XTCP_NLMSG_HDRLEN) + MemoryLayout<xtcp_inet_diag_req_v2>.size

    /// The request's bytes, as sent to the kernel.
    public var bytes: [UInt8] {
        var header = xtcp_nlmsghdr()
        header.nlmsg_len = UInt32(Self.size)
        header.nlmsg_type = UInt16(XTCP_SOCK_DIAG_BY_FAMILY)
        header.nlmsg_flags = UInt16(XTCP_NLM_F_REQUEST | XTCP_NLM_F_DUMP)
        header.nlmsg_seq = sequence
        header.nlmsg_pid = 0
        var request = xtcp_inet_diag_req_v2()
        request.sdiag_family = family.rawValue
        request.sdiag_protocol = 6  // IPPROTO_TCP
        request.idiag_ext = ext
        request.idiag_states = states
        var out = [UInt8]()
        out.reserveCapacity(Self.size)
        withUnsafeBytes(of: header) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: request) { out.append(contentsOf: $0) }
        return out
    }
}
