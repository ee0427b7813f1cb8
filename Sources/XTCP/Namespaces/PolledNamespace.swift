import Platform
import RecordFmt

/// A network namespace the daemon polls: its name for records, its inode,
/// and where to open sockets in it.
public struct PolledNamespace: Sendable, Equatable {
    public var name: String
    public var inode: UInt64
    /// A namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`), or nil for
    /// the daemon's own namespace.
    public var path: String?
    /// The id the daemon's namespace has given this one, if any
    /// (`ip netns list-id`); looked up when polling begins.
    public var nsid: UInt32?

    public init(name: String, inode: UInt64, path: String?, nsid: UInt32? = nil) {
        self.name = name
        self.inode = inode
        self.path = path
        self.nsid = nsid
    }

    /// The namespace xtcp runs in.
    public static func own() -> PolledNamespace {
        PolledNamespace(name: "host", inode: (try? Syscall.fileStatus(path: "/proc/self/ns/net").inode) ?? 0, path: nil)
    }

    /// Writes which namespace a record comes from into its per-poll fields.
    func stamp(_ record: inout FlatRecord) {
        record.netns = name
        record.netnsInode = inode
        record.nsid = nsid ?? 0
    }
}
