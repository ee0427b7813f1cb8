import RecordFmt

/// The per-poll fields every record carries: who produced it and where.
public struct RecordIdentity: Sendable, Equatable {
    public var hostname: String
    public var location: String = ""
    public var label: String = ""
    public var tag: String = ""

    public init(hostname: String) { self.hostname = hostname }

    /// Writes the identity into the record's per-poll fields.
    public func stamp(_ r: inout FlatRecord) {
        r.schemaVersion = XTCPVersion.schema
        r.daemonVersion = XTCPVersion.daemon
        r.hostname = hostname
        r.location = location
        r.label = label
        r.tag = tag
    }
}
