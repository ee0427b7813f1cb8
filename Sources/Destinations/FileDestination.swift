import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A write a destination could not make: what, and the errno.
public struct DestinationError: Error, CustomStringConvertible {
    public var what: String
    public var errno: Int32
    public var description: String { "\(what): \(Errno.describe(errno))" }

    public init(what: String, errno: Int32) {
        self.what = what
        self.errno = errno
    }
}

/// Writes batches to a file descriptor (`file:`, `stdout`), whole (short
/// writes are continued), one batch at a time so that batches from
/// different netlinkers never interleave.
public final class FileDestination: Destination, @unchecked Sendable {  // `file` is touched under `writing` and in close
    let descriptor: Int32
    let name: String
    /// The descriptor when it is this destination's to close (a file); nil
    /// for stdout, which the process inherited.
    private var file: FileDescriptor?
    let writing = Mutex(())

    init(file: consuming FileDescriptor, name: String) {
        descriptor = file.rawValue
        self.file = consume file
        self.name = name
    }

    init(inherited descriptor: Int32, name: String) {
        self.descriptor = descriptor
        file = nil
        self.name = name
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try writing.withLock { _ in
            do { try Syscall.writeAll(descriptor: descriptor, bytes: batch) } catch let error as SystemError {
                throw DestinationError(what: "write to \(name)", errno: error.errno)
            }
        }
        return .delivered
    }

    public func close() throws {
        guard let owned = file.take() else { return }
        if let error = owned.close() { throw DestinationError(what: "close \(name)", errno: error) }
    }
}

/// Discards batches (for benchmarks and dry runs).
public final class NullDestination: Destination {
    public init() {}
    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome { .delivered }
    public func close() throws {}
}
