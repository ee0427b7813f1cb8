import RecordFmt

/// A socket filter in the expression language of `ss` (`-filter`): port
/// comparisons, address prefixes, and `and`, `or`, `not`. Parsed by
/// `SocketFilter(parsing:)`, compiled to the kernel's INET_DIAG_REQ_BYTECODE
/// by `FilterBytecode`, so the kernel skips a rejected socket before it
/// builds the socket's reply.
public indirect enum SocketFilter: Equatable, Sendable, CustomStringConvertible {
    /// `sport OP PORT`, `dport OP PORT`.
    case port(Side, Comparison, UInt16)
    /// `src PREFIX`, `dst PREFIX`: the socket's local or peer address.
    case host(Side, HostPrefix)
    case and(SocketFilter, SocketFilter)
    case or(SocketFilter, SocketFilter)
    case not(SocketFilter)

    /// The socket's own end (`sport`, `src`) or its peer's (`dport`, `dst`).
    public enum Side: Sendable {
        case source, destination
    }

    public enum Comparison: String, CaseIterable, Sendable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// The filter as xtcp would parse it back: connectives spelled out, and
    /// parentheses only where the tree needs them (the parser reads a chain
    /// of one connective from the left), so the printed form is never
    /// nested deeper than the text it came from.
    public var description: String {
        /// `operand` inside `parent`, on its left or right.
        func text(_ operand: SocketFilter, in parent: SocketFilter, left: Bool) -> String {
            switch (operand, parent) {
            case (.and, .and) where left, (.or, .or) where left: return operand.description
            case (.and, _), (.or, _): return "(\(operand))"
            default: return operand.description
            }
        }
        switch self {
        case .port(let side, let comparison, let port):
            return "\(side == .source ? "sport" : "dport") \(comparison.rawValue) :\(port)"
        case .host(let side, let prefix):
            return "\(side == .source ? "src" : "dst") \(prefix)"
        case .and(let a, let b): return "\(text(a, in: self, left: true)) and \(text(b, in: self, left: false))"
        case .or(let a, let b): return "\(text(a, in: self, left: true)) or \(text(b, in: self, left: false))"
        case .not(let a): return "not \(text(a, in: self, left: false))"
        }
    }
}

/// An address prefix and port, as `src`/`dst` take them: `10.0.0.0/8`,
/// `127.0.0.1:80`, `[::1]:443`, `fd00::/8`, `*:22`. The kernel matches an
/// IPv4 prefix against IPv4-mapped IPv6 sockets too, as `ss` does.
public struct HostPrefix: Equatable, Sendable, CustomStringConvertible {
    /// nil: any address (`*`).
    public var family: InetDiagRequest.Family?
    /// 4 or 16 bytes in network byte order; empty for any address.
    public var address: [UInt8]
    /// Leading bits of `address` that must match.
    public var prefixLength: Int
    /// nil: any port.
    public var port: UInt16?

    public init(family: InetDiagRequest.Family?, address: [UInt8], prefixLength: Int, port: UInt16?) {
        self.family = family
        self.address = address
        self.prefixLength = prefixLength
        self.port = port
    }

    public var description: String {
        let portText = port.map { ":\($0)" } ?? ""
        switch family {
        case nil:
            return "*" + portText
        case .inet:
            let text = InetAddressBytes(address)?.text ?? "?"
            return text + (prefixLength == 32 ? "" : "/\(prefixLength)") + portText
        case .inet6:
            let text = InetAddressBytes(address)?.text ?? "?"
            let prefix = prefixLength == 128 ? "" : "/\(prefixLength)"
            return port == nil ? text + prefix : "[\(text)]\(prefix)" + portText
        }
    }
}
