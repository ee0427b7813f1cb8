import CKernelABI

/// INET_DIAG_REQ_BYTECODE programs built from port comparisons: the kernel
/// runs them on each socket before it builds the socket's reply, so a
/// filtered dump costs the kernel little for the sockets it skips.
///
/// A program here is a disjunction of conjunctions ("any of these clauses,
/// each all of its comparisons"), laid out as `ss` lays out `or`: each
/// comparison is two 4-byte ops (the test, then its port); a test that holds
/// falls through to the next, one that fails jumps to the next clause (or
/// 4 past the end: reject, after the last clause); a clause that passes
/// reaches a JMP op that jumps to the end (accept). Every jump target lies
/// on the chain of fall-throughs, which the kernel's audit requires
/// (`valid_cc` in net/ipv4/inet_diag.c): a clause that jumped straight to
/// the end on success was refused with EINVAL.
public enum PortBytecode {
    public enum Comparison: Equatable, Sendable {
        case sourceAtLeast(UInt16)
        case sourceAtMost(UInt16)
        case destinationAtLeast(UInt16)
        case destinationAtMost(UInt16)

        var code: Int32 {
            switch self {
            case .sourceAtLeast: return Int32(XTCP_INET_DIAG_BC_S_GE)
            case .sourceAtMost: return Int32(XTCP_INET_DIAG_BC_S_LE)
            case .destinationAtLeast: return Int32(XTCP_INET_DIAG_BC_D_GE)
            case .destinationAtMost: return Int32(XTCP_INET_DIAG_BC_D_LE)
            }
        }

        var port: UInt16 {
            switch self {
            case .sourceAtLeast(let p), .sourceAtMost(let p), .destinationAtLeast(let p), .destinationAtMost(let p): return p
            }
        }
    }

    /// Bytes per comparison: the test op and the op that carries the port.
    static let comparisonSize = 8

    /// The program accepting a socket when all comparisons of any clause
    /// hold. Empty clauses are not allowed (an always-true clause is no
    /// filter: send none).
    public static func anyOf(_ clauses: [[Comparison]]) -> [UInt8] {
        precondition(!clauses.isEmpty && clauses.allSatisfy { !$0.isEmpty }, "a bytecode clause needs a comparison")
        // Each clause but the last ends with a 4-byte JMP.
        let sizes = clauses.enumerated().map { index, clause in
            clause.count * comparisonSize + (index == clauses.count - 1 ? 0 : 4)
        }
        let total = sizes.reduce(0, +)
        precondition(total + 4 <= Int(UInt16.max))
        var out: [UInt8] = []
        out.reserveCapacity(total)
        var offset = 0
        for (index, clause) in clauses.enumerated() {
            let isLast = index == clauses.count - 1
            let clauseEnd = offset + sizes[index]
            for comparison in clause {
                // Fail: the next clause, or (last clause) 4 past the end: reject.
                let no = isLast ? total - offset + 4 : clauseEnd - offset
                append(code: UInt8(comparison.code), yes: comparisonSize, no: no, to: &out)
                append(code: UInt8(XTCP_INET_DIAG_BC_NOP), yes: 0, no: Int(comparison.port), to: &out)
                offset += comparisonSize
            }
            if !isLast {
                // Every test held: JMP always takes `no`, here the end (accept).
                append(code: UInt8(XTCP_INET_DIAG_BC_JMP), yes: 4, no: total - offset, to: &out)
                offset += 4
            }
        }
        return out
    }

    static func append(code: UInt8, yes: Int, no: Int, to out: inout [UInt8]) {
        var op = xtcp_inet_diag_bc_op()
        op.code = code
        op.yes = UInt8(yes)
        op.no = UInt16(no)
        withUnsafeBytes(of: op) { out.append(contentsOf: $0) }
    }
}
