import RecordFmt
import Synchronization

/// Envelope buffers for destinations that keep envelopes after the call
/// (Kafka): a netlinker hands its full buffer over and continues in one
/// from here; the buffer comes back when the delivery report arrives.
/// Steady state allocates nothing: buffers cycle between builders and the
/// destination. At most `keep` idle buffers are held; more are freed.
public final class EnvelopePool: Sendable {
    public struct Buffer: @unchecked Sendable {  // owned by one holder at a time
        public var pointer: UnsafeMutableRawPointer
        public var capacity: Int
    }

    public struct Stats: Sendable, Equatable {
        public var idle = 0
        public var taken: UInt64 = 0
        /// Takes that found the pool empty and allocated.
        public var misses: UInt64 = 0
        public var freed: UInt64 = 0
    }

    /// The capacity of a new buffer: the flush threshold plus room for the
    /// row that crosses it.
    public let capacity: Int
    public let keep: Int
    private let state = Mutex<(idle: [Buffer], stats: Stats)>(([], Stats()))

    public init(capacity: Int, keep: Int) {
        self.capacity = capacity
        self.keep = keep
    }

    deinit {
        state.withLock { state in
            for buffer in state.idle { buffer.pointer.deallocate() }
        }
    }

    public func take() -> Buffer {
        let reused: Buffer? = state.withLock { state in
            state.stats.taken += 1
            if let buffer = state.idle.popLast() { return buffer }
            state.stats.misses += 1
            return nil
        }
        return reused ?? Buffer(pointer: EnvelopeBuilder.allocateBuffer(capacity: capacity), capacity: capacity)
    }

    public func give(_ buffer: Buffer) {
        let kept = state.withLock { state in
            guard state.idle.count < keep else {
                state.stats.freed += 1
                return false
            }
            state.idle.append(buffer)
            return true
        }
        if !kept { buffer.pointer.deallocate() }
    }

    public func give(_ envelope: DetachedEnvelope) {
        give(Buffer(pointer: envelope.buffer, capacity: envelope.capacity))
    }

    public var stats: Stats {
        state.withLock { state in
            var stats = state.stats
            stats.idle = state.idle.count
            return stats
        }
    }
}
