import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("Dump shards cover every socket exactly once (live kernel)", .serialized)
struct DumpShardTests {
    /// Every socket's cookie from the dumps of `shards`, in order, each on
    /// its own socket as the netlinkers send them.
    func cookies(of shards: [DumpShard], namespacePath: String) throws -> (all: [UInt64], perShard: [Int]) {
        let result = try ShardDump.run(shards, namespacePath: namespacePath)
        // An invalid program is refused with NLMSG_ERROR (EINVAL).
        #expect(result.outcomes.allSatisfy { $0 == .done }, "\(zip(shards, result.outcomes).map { "\($0): \($1)" })")
        #expect(result.problems == 0)
        return (result.records.map(\.inetDiagMsgSocketCookie), result.perShard)
    }

    @Test("1 to 4 parts per family, on listeners and connections over low and high ports")
    func partitions() throws {
        try withSocketFarm("port_farm.py", ["4", "spread"]) { ns, farm in
            let path = "/run/netns/\(ns.name)"

            let whole = try cookies(of: DumpShard.plan(partsPerFamily: 1), namespacePath: path).all
            // 2 families × 10 listeners × (1 + (8 clients + 1 on a spread port) × 2 ends)
            #expect(whole.count == 2 * 10 * 19)
            #expect(Set(whole).count == whole.count)

            for parts in 2...4 {
                let plan = DumpShard.plan(partsPerFamily: parts)
                #expect(plan.count == 2 * parts)
                let (sharded, perShard) = try cookies(of: plan, namespacePath: path)
                #expect(sharded.count == whole.count, "\(parts) parts: \(sharded.count) sockets, not \(whole.count)")
                #expect(Set(sharded) == Set(whole), "\(parts) parts: a different socket set")
                #expect(perShard.allSatisfy { $0 > 0 }, "\(parts) parts: an empty shard: \(perShard)")
            }
        }
    }

    @Test("the filter programs are the ones the kernel's audit accepts, byte for byte")
    func programShape() {
        // sport ≥ 32768 ∧ sport ≤ 49151, or sport ≤ 32767 ∧ dport ≤ 49151 (the first of two parts)
        let program = DumpShard.plan(partsPerFamily: 2)[0].bytecode!
        #expect(program.count == 36)
        let ops = stride(from: 0, to: program.count, by: 4).map { i in
            (program[i], program[i + 1], UInt16(program[i + 2]) | UInt16(program[i + 3]) << 8)
        }
        let expected: [(UInt8, UInt8, UInt16)] = [
            (2, 8, 20), (0, 0, 32768),  // S_GE 32768, else the second clause (offset 20)
            (3, 8, 12), (0, 0, 49151),  // S_LE 49151, else the second clause
            (1, 4, 20),                 // JMP to the end: accept
            (3, 8, 20), (0, 0, 32767),  // S_LE 32767, else reject (4 past the end)
            (5, 8, 12), (0, 0, 49151),  // D_LE 49151, else reject; falling off the end accepts
        ]
        #expect(ops.count == expected.count)
        for (op, want) in zip(ops, expected) {
            #expect(op.0 == want.0 && op.1 == want.1 && op.2 == want.2, "op \(op) != \(want)")
        }
    }
}
