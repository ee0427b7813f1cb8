/// Who owns a socket, in the record's owner fields (40 to 49): its
/// container and the container's runtime, name and image, and its
/// Kubernetes pod. The same for every socket of one cgroup.
public struct SocketOwner: Sendable, Hashable {
    public var containerID = ""
    public var containerRuntime = ""
    public var containerName = ""
    public var containerImage = ""
    public var podUID = ""
    public var podQoSClass = ""

    public init(containerID: String = "", containerRuntime: String = "", containerName: String = "",
                containerImage: String = "", podUID: String = "", podQoSClass: String = "") {
        self.containerID = containerID
        self.containerRuntime = containerRuntime
        self.containerName = containerName
        self.containerImage = containerImage
        self.podUID = podUID
        self.podQoSClass = podQoSClass
    }

    public var isEmpty: Bool { self == SocketOwner() }
}

/// An owner as rows take it: its fields for the record (text formats read
/// them there) and their encoding (the envelope builder copies it), made
/// once per owner. A class: a row whose owner is not the row before's
/// takes it from the index with one retain, not one per string.
public final class OwnerStamp: Sendable, Equatable {
    public let owner: SocketOwner
    public let encoded: EncodedOwnerFields

    public static func == (a: OwnerStamp, b: OwnerStamp) -> Bool { a === b || (a.owner == b.owner && a.encoded == b.encoded) }

    public static let none = OwnerStamp(SocketOwner())

    public init(_ owner: SocketOwner) {
        self.owner = owner
        var record = FlatRecord()
        record.stampOwner(owner)
        encoded = owner.isEmpty ? .none : EncodedOwnerFields(of: record)
    }
}

extension FlatRecord {
    /// Sets the owner fields (the rest are untouched).
    @inlinable
    public mutating func stampOwner(_ owner: SocketOwner) {
        containerId = owner.containerID
        containerRuntime = owner.containerRuntime
        containerName = owner.containerName
        containerImage = owner.containerImage
        podUid = owner.podUID
        podQosClass = owner.podQoSClass
    }

    /// The owner fields.
    public var owner: SocketOwner {
        SocketOwner(containerID: containerId, containerRuntime: containerRuntime, containerName: containerName,
                    containerImage: containerImage, podUID: podUid, podQoSClass: podQosClass)
    }
}
