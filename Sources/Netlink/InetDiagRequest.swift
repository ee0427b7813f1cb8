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
    /// An INET_DIAG_REQ_BYTECODE filter (`FilterBytecode`), or none.
    public var bytecode: [UInt8]?

    public init(family: Family, attributes: DiagAttributeSet = .defaultSet, sequence: UInt32) {
        self.family = family
        self.ext = attributes.requestExt
        self.sequence = sequence
    }

    /// A request without a filter.
    public static let size = Int(XTCP_NLMSG_HDRLEN) + MemoryLayout<xtcp_inet_diag_req_v2>.size

    /// Bytes of the request, its filter attribute included.
    public var size: Int {
        guard let bytecode else { return Self.size }
        return Self.size + 4 + (bytecode.count + 3) & ~3
    }

    /// The request's bytes, as sent to the kernel.
    public var bytes: [UInt8] {
        var header = xtcp_nlmsghdr()
        header.nlmsg_len = UInt32(size)
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
        out.reserveCapacity(size)
        withUnsafeBytes(of: header) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: request) { out.append(contentsOf: $0) }
        if let bytecode {
            // struct nlattr { u16 nla_len; u16 nla_type; } + the program, 4-aligned.
            let attributeLength = UInt16(4 + bytecode.count)
            withUnsafeBytes(of: attributeLength.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt16(XTCP_INET_DIAG_REQ_BYTECODE).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytecode)
            out.append(contentsOf: repeatElement(0, count: (4 - bytecode.count % 4) % 4))
        }
        return out
    }
}
