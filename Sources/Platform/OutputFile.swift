#if canImport(Glibc)
import Glibc
#endif

/// How xtcp opens a file it writes (`-dest file:`, `-profile.path`,
/// `-capture`), as a root daemon must: never through a symbolic link
/// (another user's link could aim it at a file of root's), never into a
/// file another user owns, created 0640 (its records name every
/// container's connections), close-on-exec; and a FIFO without a reader is
/// refused at once rather than blocking the start (O_NONBLOCK for the open
/// only).
public enum OutputFile {
    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case symbolicLink
        case ownedByAnother(uid: UInt32, ours: UInt32)
        case fifoWithoutReader
        case system(SystemError)

        public var description: String {
            switch self {
            case .symbolicLink: return "it is a symbolic link (xtcp does not follow links to files it writes)"
            case .ownedByAnother(let uid, let ours): return "it is owned by uid \(uid), not by xtcp's uid \(ours)"
            case .fifoWithoutReader: return "a FIFO with no reader"
            case .system(let error): return Errno.describe(error.errno)
            }
        }
    }

    /// A refusal as its one line says it: the flag, the path, the reason.
    public struct OpenFailure: Error, CustomStringConvertible {
        public var flag: String
        public var path: String
        public var refusal: Refusal
        public init(flag: String, path: String, refusal: Refusal) {
            self.flag = flag
            self.path = path
            self.refusal = refusal
        }
        public var description: String { "\(flag) \(path): cannot open for writing: \(refusal)" }
    }

    /// Opens `path` for writing: appending by default, or emptied with
    /// `truncating` (a one-shot output). With `nonBlocking`, a FIFO (or
    /// another file that waits on a reader) stays non-blocking, for a
    /// writer that bounds its waits (`BoundedWrite`).
    public static func open(_ path: String, truncating: Bool = false, nonBlocking: Bool = false) throws(Refusal) -> FileDescriptor {
        // Read and write, so that a torn tail can be read back and cut; but
        // a FIFO opened so would be its own reader, so a FIFO is opened
        // again write-only, where no reader means ENXIO.
        var file = try openOnce(path, access: O_RDWR)
        do {
            var status = try Syscall.fileStatus(descriptor: file.rawValue)
            if status.isFIFO {
                _ = file.close()
                file = try openOnce(path, access: O_WRONLY)
                status = try Syscall.fileStatus(descriptor: file.rawValue)
            }
            let ours = geteuid()
            guard status.owner == ours else { throw Refusal.ownedByAnother(uid: status.owner, ours: ours) }
            if !nonBlocking {
                let flags = try Syscall.fcntl(descriptor: file.rawValue, command: F_GETFL)
                _ = try Syscall.fcntl(descriptor: file.rawValue, command: F_SETFL, value: flags & ~O_NONBLOCK)
            }
            if truncating, status.isRegularFile { try Syscall.truncate(descriptor: file.rawValue, length: 0) }
        } catch let refusal as Refusal {
            throw refusal
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .system(SystemError(.open, errno: EIO, subject: path))
        }
        return file
    }

    private static func openOnce(_ path: String, access: Int32) throws(Refusal) -> FileDescriptor {
        do {
            return try Syscall.open(path: path, flags: access | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK, mode: 0o640)
        } catch {
            switch error.errno {
            case ELOOP: throw .symbolicLink
            case ENXIO: throw .fifoWithoutReader
            default: throw .system(error)
            }
        }
    }
}
