import Netlink
import RecordFmt

/// Dumps a namespace the way the netlinkers do: each shard of a plan on its
/// own socket, with its own request (program, states).
public enum ShardDump {
    public struct Result {
        /// Every row of every shard, in order.
        public var records: [FlatRecord] = []
        /// Rows per shard.
        public var perShard: [Int] = []
        /// Each shard's outcome: `.done`, or `.failed(EINVAL)` for a
        /// program the kernel's audit refused.
        public var outcomes: [DumpOutcome] = []
        public var problems = 0

        public var keys: [String] { records.map(SocketKey.key) }
    }

    public static func run(_ shards: [DumpShard], namespacePath: String, attributes: DiagAttributeSet = .defaultSet) throws -> Result {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var result = Result()
        for (index, shard) in shards.enumerated() {
            let socket = try NetlinkSocket.inNamespace(path: namespacePath)
            var decoder = DumpDecoder(attributes: attributes)
            var record = FlatRecord()
            let before = result.records.count
            let outcome = try socket.dump(shard.request(attributes: attributes, sequence: UInt32(100 + index)),
                                          buffer: buffer, decoder: &decoder, record: &record) { result.records.append($0) }
            result.outcomes.append(outcome)
            result.problems += Int(decoder.stats.problems)
            result.perShard.append(result.records.count - before)
        }
        return result
    }
}
