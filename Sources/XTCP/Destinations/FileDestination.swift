import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct DestinationError: Error, CustomStringConvertible {
    public var what: String
    public var errno: Int32
    public var description: String { "\(what): \(String(cString: strerror(errno)))" }
}

/// Writes batches to a file descriptor (`file:`, `stdout`), whole (short
/// writes are continued), one batch at a time so that batches from
/// different netlinkers never interleave.
public final class FileDestination: Destination {
    let descriptor: Int32
    let name: String
    let owned: Bool
    let writing = Mutex(())

    init(descriptor: Int32, name: String, owned: Bool) {
        self.descriptor = descriptor
        self.name = name
        self.owned = owned
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try writing.withLock { _ in try writeWhole(batch) }
        return .delivered
    }

    private func writeWhole(_ batch: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < batch.count {
            let n = Glibc.write(descriptor, batch.baseAddress! + offset, batch.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw DestinationError(what: "write to \(name)", errno: errno)
            }
            offset += n
        }
    }

    public func close() throws {
        if owned, Glibc.close(descriptor) != 0 { throw DestinationError(what: "close \(name)", errno: errno) }
    }
}

/// Discards batches (for benchmarks and dry runs).
public final class NullDestination: Destination {
    public init() {}
    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome { .delivered }
    public func close() throws {}
}
