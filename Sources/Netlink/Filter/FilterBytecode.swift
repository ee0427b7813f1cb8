import CKernelABI

/// Compiles a `SocketFilter` to an INET_DIAG_REQ_BYTECODE program, and
/// joins programs with `and`.
///
/// Every program keeps one convention, the one `ss` and the kernel's
/// `inet_diag_bc_run` share: running off the end exactly accepts the socket,
/// landing 4 bytes past the end rejects it, and every op's `yes` is its own
/// size (a test that holds falls through). So programs compose by
/// concatenation:
///
/// - `a and b`: a then b, with a's jumps to *its* reject moved to b's.
///   a's accept falls into b.
/// - `a or b`: a, a JMP over b (a accepted: accept), then b; a's rejects
///   land on b's first op.
/// - `not a`: a, then a JMP to 4 past the end; a's reject lands on the end
///   (accept), its accept reaches the JMP (reject).
///
/// Every jump target then lies on the chain of fall-throughs, which the
/// kernel's audit (`valid_cc`) requires.
public enum FilterBytecode {
    /// The longest program: its attribute's length is 16 bits.
    public static let maximumSize = 65_000

    public struct TooLong: Error, CustomStringConvertible {
        public var size: Int
        public var description: String { "the filter compiles to \(size) bytes of bytecode, more than the kernel takes (\(maximumSize))" }
    }

    public static func compile(_ filter: SocketFilter) throws(TooLong) -> [UInt8] {
        let program = build(filter)
        guard program.count <= maximumSize else { throw TooLong(size: program.count) }
        return program
    }

    /// Accepts a socket when both programs do.
    public static func and(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var joined = a
        moveRejects(in: &joined, by: b.count)
        joined += b
        return joined
    }

    static func or(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var joined = a
        append(code: XTCP_INET_DIAG_BC_JMP, yes: 4, no: b.count + 4, to: &joined)
        return joined + b
    }

    static func not(_ a: [UInt8]) -> [UInt8] {
        var negated = a
        append(code: XTCP_INET_DIAG_BC_JMP, yes: 4, no: 8, to: &negated)
        return negated
    }

    static func build(_ filter: SocketFilter) -> [UInt8] {
        switch filter {
        case .and(let a, let b): return and(build(a), build(b))
        case .or(let a, let b): return or(build(a), build(b))
        case .not(let a): return not(build(a))
        case .host(let side, let prefix): return host(side, prefix)
        case .port(let side, let comparison, let port):
            // = as ≥ and ≤: S_EQ/D_EQ came with Linux 4.16; these work on any.
            let atLeast = side == .source ? XTCP_INET_DIAG_BC_S_GE : XTCP_INET_DIAG_BC_D_GE
            let atMost = side == .source ? XTCP_INET_DIAG_BC_S_LE : XTCP_INET_DIAG_BC_D_LE
            let never = not(compare(atLeast, 0))
            switch comparison {
            case .equal: return and(compare(atLeast, port), compare(atMost, port))
            case .notEqual: return not(and(compare(atLeast, port), compare(atMost, port)))
            case .lessOrEqual: return compare(atMost, port)
            case .greaterOrEqual: return compare(atLeast, port)
            case .less: return port == 0 ? never : compare(atMost, port - 1)
            case .greater: return port == .max ? never : compare(atLeast, port + 1)
            }
        }
    }

    /// A port test: the op, then an op whose `no` carries the port.
    static func compare(_ code: Int, _ port: UInt16) -> [UInt8] {
        var out: [UInt8] = []
        append(code: code, yes: 8, no: 12, to: &out)
        append(code: XTCP_INET_DIAG_BC_NOP, yes: 0, no: Int(port), to: &out)
        return out
    }

    /// S_COND/D_COND: the op, an inet_diag_hostcond, the address.
    static func host(_ side: SocketFilter.Side, _ prefix: HostPrefix) -> [UInt8] {
        let size = 4 + MemoryLayout<xtcp_inet_diag_hostcond>.size + prefix.address.count
        var out: [UInt8] = []
        append(code: side == .source ? XTCP_INET_DIAG_BC_S_COND : XTCP_INET_DIAG_BC_D_COND, yes: size, no: size + 4, to: &out)
        var condition = xtcp_inet_diag_hostcond()
        condition.family = prefix.family?.rawValue ?? 0  // AF_UNSPEC: any address
        condition.prefix_len = UInt8(prefix.prefixLength)
        condition.port = prefix.port.map(Int32.init) ?? -1
        withUnsafeBytes(of: condition) { out.append(contentsOf: $0) }
        out += prefix.address
        return out
    }

    static func append(code: Int, yes: Int, no: Int, to out: inout [UInt8]) {
        var op = xtcp_inet_diag_bc_op()
        op.code = UInt8(code)
        op.yes = UInt8(yes)
        op.no = UInt16(truncatingIfNeeded: no)
        withUnsafeBytes(of: op) { out.append(contentsOf: $0) }
    }

    /// Adds `distance` to every jump of `program` that lands 4 past its end
    /// (its reject), walking the ops by `yes` as the kernel does.
    static func moveRejects(in program: inout [UInt8], by distance: Int) {
        var offset = 0
        while offset < program.count {
            let remaining = program.count - offset
            let yes = Int(program[offset + 1])
            let no = Int(UInt16(program[offset + 2]) | UInt16(program[offset + 3]) << 8)
            if no == remaining + 4 {
                let moved = UInt16(truncatingIfNeeded: no + distance)
                program[offset + 2] = UInt8(moved & 0xFF)
                program[offset + 3] = UInt8(moved >> 8)
            }
            precondition(yes >= 4, "every op of a built program falls through by its size")
            offset += yes
        }
    }
}
