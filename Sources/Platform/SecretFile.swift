#if canImport(Glibc)
import Glibc
#endif

/// Reads a file of secrets (`-kafkaPropertyFile`) as a root daemon must:
/// only a regular file of root's or xtcp's own user (another user could
/// rewrite it), that no other user can read and no one but its owner can
/// write (the mode an operator sets: 0600, or 0640 for a group such as a
/// Kubernetes secret's fsGroup). Symbolic links are followed (a Kubernetes
/// secret volume is made of them); what is checked is the file they reach,
/// opened once and checked through its descriptor.
public enum SecretFile {
    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case notRegular
        case ownedByAnother(uid: UInt32)
        case tooOpen(mode: UInt32)
        case system(SystemError)

        public var description: String {
            switch self {
            case .notRegular: "not a regular file"
            case .ownedByAnother(let uid): "owned by uid \(uid), neither root nor xtcp's user: refused, as that user could rewrite it"
            case .tooOpen(let mode):
                "mode 0\(String(mode & 0o777, radix: 8)) lets other users read or change it: refused, as it holds secrets (chmod 600 it)"
            case .system(let error): Errno.describe(error.errno)
            }
        }
    }

    /// Its text (at most 1 MiB).
    public static func text(path: String) throws(Refusal) -> String {
        do {
            let file = try Syscall.open(path: path, flags: O_RDONLY)
            let status = try Syscall.fileStatus(descriptor: file.rawValue)
            guard status.isRegularFile else { throw Refusal.notRegular }
            guard status.owner == 0 || status.owner == geteuid() else { throw Refusal.ownedByAnother(uid: status.owner) }
            // Group write, other read, other write.
            guard status.mode & 0o026 == 0 else { throw Refusal.tooOpen(mode: status.mode) }
            return String(decoding: try FileBytes.read(descriptor: file.rawValue, limit: 1 << 20), as: UTF8.self)
        } catch let refusal as Refusal {
            throw refusal
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .system(SystemError(.read, errno: EIO, subject: path))
        }
    }
}
