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

/// How batches sit one after another in a file, so that a torn one can be
/// found: `protobufList` frames (`uvarint(length) + envelope`), or lines
/// (`jsonl`). The other formats have no framing to keep.
public enum FileFraming: Sendable {
    case protobufList, lines
}

/// What `file:` and `stdout` are opened with.
public struct FileSettings: Sendable {
    /// How batches follow one another, so that a torn last one can be cut.
    public var framing: FileFraming?
    /// How long a batch may wait for a pipe's, a FIFO's or a terminal's
    /// reader to make room (`-timeout`), when the poll sets no deadline.
    public var patience: Duration
    /// What a file or a stream begins with, once (csv's header line):
    /// written before the first batch into a file that is empty, onto
    /// stdout or stderr, and onto each new connection.
    public var header: [UInt8]
    public init(framing: FileFraming? = .protobufList, patience: Duration = .seconds(10), header: [UInt8] = []) {
        self.framing = framing
        self.patience = patience
        self.header = header
    }
}

/// Writes batches to a file descriptor (`file:`, `stdout`), whole (short
/// writes are continued), one batch at a time so that batches from
/// different netlinkers never interleave.
///
/// A file is opened for appending (`OutputFile`: no symbolic link, no
/// other user's file, 0640) and never truncated at start, so a second xtcp
/// that fails to start leaves the first one's output alone, and a file
/// emptied by logrotate's copytruncate goes on at its new end. What stands
/// in the file is always whole batches: a torn one left by a crash is cut
/// off when the file is opened, and a write that fails (a full disk) is
/// cut back to the end of the last whole batch and counted dropped.
/// `reopen` (SIGHUP) starts a new file at the same path after the old one
/// was moved away.
///
/// A pipe, a FIFO, a terminal or a socket can block for as long as its
/// reader likes: those are written as a `PacedStream`, never waiting past
/// the poll's deadline.
public final class FileDestination: Destination, @unchecked Sendable {  // every var is touched under `writing`
    let name: String
    private let path: String?
    private let settings: FileSettings
    private let writing = Mutex(())
    private var file: FileDescriptor?
    private var descriptor: Int32
    /// A descriptor that waits on its reader; nil for a file (or
    /// /dev/null), whose writes the disk ends.
    private var paced: PacedStream?
    /// A regular file of xtcp's opening: a failed batch can be cut away.
    private var cuttable = false
    /// Late counts of a stream replaced by `reopen`, not yet taken.
    private var carried = DeliveryCounts()
    /// The header is still to be written: the file was empty (or is a
    /// stream) and no batch has gone in since.
    private var headerPending: Bool

    /// `file:PATH`.
    init(path: String, settings: FileSettings) throws(DestinationUnavailable) {
        name = path
        self.path = path
        self.settings = settings
        let opened = try Self.open(path, framing: settings.framing)
        descriptor = opened.file.rawValue
        paced = opened.waitsOnReader ? PacedStream(name: path, descriptor: descriptor, method: .write, patience: settings.patience) : nil
        cuttable = opened.regular
        headerPending = opened.empty
        file = opened.take()
    }

    /// `stdout`.
    convenience init(stdout settings: FileSettings) throws(DestinationUnavailable) {
        try self.init(standard: STDOUT_FILENO, named: "stdout", settings: settings)
    }

    /// `stderr`: beside xtcp's own log lines, which are whole lines too.
    convenience init(stderr settings: FileSettings) throws(DestinationUnavailable) {
        try self.init(standard: STDERR_FILENO, named: "stderr", settings: settings)
    }

    /// `stdout` or `stderr`: the descriptor the process inherited. A pipe or a
    /// terminal is opened again (/proc/self/fd/1) as a file description of
    /// xtcp's own, made non-blocking without touching the one it shares
    /// with its parent; a socket (a journal's stream) is written with
    /// MSG_DONTWAIT; a file as it is.
    private init(standard: Int32, named: String, settings: FileSettings) throws(DestinationUnavailable) {
        name = named
        path = nil
        self.settings = settings
        if StandardDescriptors.closedAtStart.contains(standard) {
            throw DestinationUnavailable(description: "-dest \(named): xtcp was started with its \(named) closed")
        }
        descriptor = standard
        file = nil
        let status = try? Syscall.fileStatus(descriptor: standard)
        // `>> out.csv` onto a file that has rows: no second header.
        headerPending = status?.isRegularFile != true || status?.size == 0
        var own: FileDescriptor? = nil
        if status?.isFIFO == true || Syscall.isTerminal(descriptor: standard) {
            own = try? Syscall.open(path: "/proc/self/fd/\(standard)", flags: O_WRONLY | O_NONBLOCK)
        }
        if let raw = own?.rawValue {
            descriptor = raw
            file = own.take()
            paced = PacedStream(name: name, descriptor: raw, method: .write, patience: settings.patience)
        } else if status?.isSocket == true {
            paced = PacedStream(name: name, descriptor: standard, method: .send, patience: settings.patience)
        } else {
            paced = nil  // a file, /dev/null (or no /proc): written as any program writes
        }
    }

    /// A file just opened: how to write it.
    private struct Opened: ~Copyable {
        var file: FileDescriptor
        /// A FIFO (non-blocking, as `OutputFile` left it), or a device.
        var waitsOnReader: Bool
        var regular: Bool
        /// Nothing in it yet (a FIFO, a device: always).
        var empty: Bool
        consuming func take() -> FileDescriptor { file }
    }

    private static func open(_ path: String, framing: FileFraming?) throws(DestinationUnavailable) -> Opened {
        let file: FileDescriptor
        do { file = try OutputFile.open(path, nonBlocking: true) } catch {
            throw DestinationUnavailable(description: "cannot open -dest file:\(path): \(error)")
        }
        guard let status = try? Syscall.fileStatus(descriptor: file.rawValue), status.isRegularFile else {
            return Opened(file: file, waitsOnReader: true, regular: false, empty: true)
        }
        let whole = (try? TornTail.wholeLength(of: file.rawValue, size: status.size, framing: framing)) ?? status.size
        if whole < status.size { try? Syscall.truncate(descriptor: file.rawValue, length: whole) }
        return Opened(file: file, waitsOnReader: false, regular: true, empty: whole == 0)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        try write(batch, rows: rows, by: nil)
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        try writing.withLock { _ in
            guard headerPending, !settings.header.isEmpty else { return try writeLocked(batch, rows: rows, by: deadline) }
            // Once per file: the copy costs nothing that matters.
            let outcome = try (settings.header + UnsafeRawBufferPointer(batch)).withUnsafeBytes { try writeLocked($0, rows: rows, by: deadline) }
            headerPending = false
            return outcome
        }
    }

    private func writeLocked(_ batch: UnsafeRawBufferPointer, rows: Int, by deadline: ContinuousClock.Instant?) throws -> WriteOutcome {
        if paced != nil { return try paced!.write(batch, rows: rows, by: deadline) }
        try writeWhole(batch)
        return .delivered
    }

    /// A file: blocking writes, and what was written of a batch that
    /// failed is cut away, so that the file ends with its last whole batch
    /// and the next one follows it. The cut is from the file's end as it is
    /// now, so a file emptied meanwhile (copytruncate) is not stretched.
    private func writeWhole(_ batch: UnsafeRawBufferPointer) throws {
        var written = 0
        do {
            while written < batch.count {
                guard case .processed(let count) = try Syscall.write(descriptor: descriptor, bytes: UnsafeRawBufferPointer(rebasing: batch[written...])) else {
                    throw SystemError(.write, errno: EAGAIN)
                }
                written += count
            }
        } catch let error as SystemError {
            if cuttable, written > 0, let size = try? Syscall.fileStatus(descriptor: descriptor).size {
                try? Syscall.truncate(descriptor: descriptor, length: max(0, size - Int64(written)))
            }
            throw DestinationError(what: "write to \(name)", errno: error.errno)
        }
    }

    public var ended: String? { writing.withLock { _ in paced?.ended } }

    public func takeLateCounts() -> DeliveryCounts {
        writing.withLock { _ in
            var late = carried
            carried = DeliveryCounts()
            if paced != nil { late += paced!.takeLate() }
            return late
        }
    }

    /// Starts a new file at the path (after logrotate moved or removed the
    /// old one); the old is closed. Says what it did; nil for stdout.
    public func reopen() throws -> String? {
        guard let path else { return nil }
        let reopened = try Self.open(path, framing: settings.framing)
        let waits = reopened.waitsOnReader
        let regular = reopened.regular
        let empty = reopened.empty
        let descriptor = reopened.file.rawValue
        var replacement: FileDescriptor? = reopened.take()
        writing.withLock { _ in
            var late = DeliveryCounts()
            if paced != nil {
                paced!.finish()
                late = paced!.takeLate()
            }
            self.descriptor = descriptor
            paced = waits ? PacedStream(name: path, descriptor: descriptor, method: .write, patience: settings.patience) : nil
            cuttable = regular
            headerPending = empty
            file = replacement.take()  // the old descriptor closes as it is replaced
            carried += late
        }
        return "file:\(path)"
    }

    public func close() throws {
        let owned = writing.withLock { _ in
            paced?.finish()
            return file.take()
        }
        guard let owned else { return }
        if let error = owned.close() { throw DestinationError(what: "close \(name)", errno: error) }
    }
}

/// Discards batches (for benchmarks and dry runs).
public final class NullDestination: Destination {
    public init() {}
    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome { .delivered }
    public func close() throws {}
}

/// Where the last whole batch of a file ends: a crash or a full disk can
/// leave a batch half written.
enum TornTail {
    static func wholeLength(of fd: Int32, size: Int64, framing: FileFraming?) throws(SystemError) -> Int64 {
        switch framing {
        case nil: return size
        case .protobufList: return try framesEnd(fd, size: size)
        case .lines: return try linesEnd(fd, size: size)
        }
    }

    /// Walks `uvarint(length) + envelope` frames from the start; the end of
    /// the last one that fits.
    private static func framesEnd(_ fd: Int32, size: Int64) throws(SystemError) -> Int64 {
        var offset: Int64 = 0
        var prefix = [UInt8](repeating: 0, count: 10)
        while offset < size {
            let read = try prefix.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in try Syscall.pread(descriptor: fd, into: buffer, offset: offset) }
            }.get()
            var length: Int64 = 0
            var shift: Int64 = 0
            var used = 0
            while used < read {
                let byte = prefix[used]
                used += 1
                length |= Int64(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { break }
                if shift > 63 { return offset }
            }
            guard used > 0, prefix[used - 1] < 0x80, offset + Int64(used) + length <= size else { return offset }
            offset += Int64(used) + length
        }
        return offset
    }

    /// The end of the last whole line.
    private static func linesEnd(_ fd: Int32, size: Int64) throws(SystemError) -> Int64 {
        var end = size
        var chunk = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let start = max(0, end - Int64(chunk.count))
            let count = Int(end - start)
            let read = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in
                    try Syscall.pread(descriptor: fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), offset: start)
                }
            }.get()
            if let newline = chunk[0..<read].lastIndex(of: 0x0A) { return start + Int64(newline) + 1 }
            end = start
        }
        return 0
    }
}
