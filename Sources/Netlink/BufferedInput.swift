import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Bytes read from a descriptor as they are needed, in one buffer that
/// grows only to the largest piece asked for at once: a reader of a file
/// of any size (or of no end: a pipe, /dev/zero) holds what it works on,
/// never the whole. Or bytes already in memory, as one piece.
struct BufferedInput: ~Copyable {
    /// Owns the descriptor (closed with the input); `descriptor` is its number.
    private let file: FileDescriptor?
    private let descriptor: Int32?
    private var buffer: [UInt8]
    /// The unread bytes are `buffer[start..<end]`.
    private var start = 0
    private var end: Int
    private var atEnd: Bool
    /// Bytes consumed so far: the offset of `start` in the input.
    private(set) var offset = 0
    /// Asked before every read (and, on a pipe or terminal, every quarter
    /// second while none comes): what it returns ends the input there.
    private let stop: (() -> Int32?)?
    /// Whether a read may wait (not a regular file): then the input is
    /// polled first, so that `stop` is asked while it waits.
    private let mayWait: Bool
    /// What `stop` returned, once it returned something.
    private(set) var stoppedBy: Int32?

    init(file: consuming FileDescriptor, stop: (() -> Int32?)? = nil) {
        descriptor = file.rawValue
        mayWait = !((try? Syscall.fileStatus(descriptor: file.rawValue))?.isRegularFile ?? false)
        self.file = .some(file)
        self.stop = stop
        buffer = [UInt8](repeating: 0, count: 64 * 1024)
        end = 0
        atEnd = false
    }

    init(bytes: [UInt8]) {
        file = nil
        descriptor = nil
        stop = nil
        mayWait = false
        buffer = bytes
        end = bytes.count
        atEnd = true
    }

    /// Unread bytes in hand.
    var available: Int { end - start }

    /// Reads until `count` unread bytes are in hand, or the input ends;
    /// whether they are.
    mutating func ensure(_ count: Int) throws(SystemError) -> Bool {
        while available < count, !atEnd, let fd = descriptor {
            if start > 0, buffer.count - start < count {
                // Move the unread bytes to the front before growing.
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            if buffer.count < count { buffer += [UInt8](repeating: 0, count: count - buffer.count) }
            if let stop, try !readable(fd, stop) { break }
            let read = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in
                    try Syscall.read(descriptor: fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
                }
            }.get()
            guard case .processed(let got) = read else { continue }
            if got == 0 { atEnd = true } else { end += got }
        }
        return available >= count
    }

    /// Waits until `fd` has input (or has ended), asking `stop` before and
    /// every quarter second; false when `stop` said to end (the input then
    /// ends here).
    private mutating func readable(_ fd: Int32, _ stop: () -> Int32?) throws(SystemError) -> Bool {
        while true {
            if let signal = stop() {
                stoppedBy = signal
                atEnd = true
                return false
            }
            guard mayWait else { return true }
            var watched = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if try Syscall.poll(&watched, milliseconds: 250) > 0 { return true }
        }
    }

    /// The unread bytes from `from` for `count` (both relative to the
    /// first unread byte; `ensure` them first), for the call only.
    func withBytes<R>(from: Int = 0, count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(from >= 0 && count >= 0 && from + count <= available, "BufferedInput.withBytes: past the bytes in hand")
        return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[(start + from)..<(start + from + count)])) }
    }

    /// A little-endian (or, `swapped`, big-endian) u32 at `at` of the unread bytes.
    func u32(at: Int, swapped: Bool = false) -> UInt32 {
        let value = withBytes(from: at, count: 4) { $0.loadUnaligned(as: UInt32.self) }
        return swapped ? value.byteSwapped : value
    }

    func u16(at: Int, swapped: Bool = false) -> UInt16 {
        let value = withBytes(from: at, count: 2) { $0.loadUnaligned(as: UInt16.self) }
        return swapped ? value.byteSwapped : value
    }

    mutating func consume(_ count: Int) {
        precondition(count <= available, "BufferedInput.consume: past the bytes in hand")
        start += count
        offset += count
        if start == end { start = 0; end = 0 }
    }

    /// Reads and drops the rest of the input (bounded memory); how many
    /// bytes there were, those in hand included.
    mutating func drain() throws(SystemError) -> Int {
        var dropped = 0
        repeat {
            dropped += available
            consume(available)
        } while try ensure(1)
        return dropped
    }
}
