import RecordFmt

/// The per-poll fields of one dump's rows: who produced them (identity),
/// from where (namespace), in which poll and when, by which netlinker on
/// which socket, and of what kind; with their encoding, made once per dump
/// here and copied into every row by the envelope builder.
struct PollStamp {
    /// A record whose per-poll fields are set; its per-socket ones are not used.
    private(set) var fields: FlatRecord
    private(set) var encoded: EncodedPollFields

    init(_ fields: FlatRecord) {
        self.fields = fields
        encoded = EncodedPollFields(of: fields)
    }

    /// A dump's stamp: the poll's fields (`template`: identity, sequence,
    /// time), the namespace's, and the dump's own.
    init(poll template: FlatRecord, namespace: PolledNamespace, netlinker: Int, socket: Int32, kind: RecordKind) {
        var fields = template
        namespace.stamp(&fields)
        fields.netlinkerId = UInt64(netlinker)
        fields.socketFd = UInt64(max(socket, 0))
        fields.recordKind = kind
        self.init(fields)
    }

    /// The same stamp at another time (a replayed datagram's, a burst of
    /// close events'); re-encoded only when the time moved.
    mutating func retime(_ nanoseconds: Int64) {
        guard fields.timestampNs != nanoseconds else { return }
        fields.timestampNs = nanoseconds
        encoded = EncodedPollFields(of: fields)
    }
}
