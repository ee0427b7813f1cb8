import Destinations
import Netlink
import Synchronization
import TestSupport
@testable import XTCP
import RecordFmt

/// A destination for the in-process tier: keeps every batch it is given,
/// or refuses the next `failing` writes (a write error, as a full disk
/// gives). Its records are decoded by protobuf-c, the reference codec.
final class RecordingDestination: Destination, @unchecked Sendable {  // state is behind a Mutex
    private let state = Mutex<(bytes: [UInt8], batches: Int, failing: Int)>(([], 0, 0))

    func failNext(_ writes: Int) { state.withLock { $0.failing = writes } }

    func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try state.withLock { state in
            if state.failing > 0 {
                state.failing -= 1
                throw DestinationError(what: "write to the recording", errno: 28)  // ENOSPC
            }
            state.bytes += batch
            state.batches += 1
        }
        return .delivered
    }

    func close() throws {}

    var batches: Int { state.withLock { $0.batches } }

    /// Every record written so far.
    var records: [FlatRecord] { ProtobufList.records(state.withLock { $0.bytes }) ?? [] }
}

/// The fake kernel as the poller's socket opener.
struct FakeSockets: DumpSocketOpener {
    let kernel: FakeKernel
    func open(_ namespace: PolledNamespace) throws -> NetlinkSocket { try kernel.open(namespace: namespace.name) }
}
