import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where batches go (`-dest`). Shared by a namespace's netlinkers: `write`
/// may be called from several threads at once.
public protocol Destination: AnyObject, Sendable {
    /// Takes one batch; the bytes are only valid during the call.
    func write(_ batch: UnsafeRawBufferPointer) throws
    func close() throws
}

public enum DestinationSpec: Equatable, Sendable, CustomStringConvertible {
    case stdout
    case null
    case file(path: String)

    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String {
            "unknown destination \"\(text)\": expected stdout, null or file:PATH"
        }
    }

    public init(parsing text: String) throws {
        switch text {
        case "stdout": self = .stdout
        case "null": self = .null
        case _ where text.hasPrefix("file:") && text.count > 5: self = .file(path: String(text.dropFirst(5)))
        default: throw ParseError(text: text)
        }
    }

    public var description: String {
        switch self {
        case .stdout: return "stdout"
        case .null: return "null"
        case .file(let path): return "file:\(path)"
        }
    }

    public func open() throws -> any Destination {
        switch self {
        case .stdout: return FileDestination(descriptor: STDOUT_FILENO, name: "stdout", owned: false)
        case .null: return NullDestination()
        case .file(let path):
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw DestinationError(what: "cannot open \(path)", errno: errno) }
            return FileDestination(descriptor: fd, name: path, owned: true)
        }
    }
}

public struct DestinationError: Error, CustomStringConvertible {
    public var what: String
    public var errno: Int32
    public var description: String { "\(what): \(String(cString: strerror(errno)))" }
}

/// Writes batches to a file descriptor, whole (short writes are continued),
/// one batch at a time so that batches from different netlinkers never
/// interleave.
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

    public func write(_ batch: UnsafeRawBufferPointer) throws {
        try writing.withLock { _ in try writeWhole(batch) }
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
    public func write(_ batch: UnsafeRawBufferPointer) throws {}
    public func close() throws {}
}
