import RecordFmt

/// A socket's 5-tuple as `local|peer` (ss's spelling, wildcards made one),
/// for comparing xtcp's records with `ss -tan`.
public enum SocketKey {
    public static func key(_ local: SSAddress, _ peer: SSAddress) -> String {
        func text(_ a: SSAddress) -> String {
            ["*", "0.0.0.0", "::"].contains(a.host) ? "*:\(a.port)" : "\(a.host):\(a.port)"
        }
        return text(local) + "|" + text(peer)
    }

    public static func key(_ record: FlatRecord) -> String {
        key(SSAddress(host: record.inetDiagMsgSocketSource.text, port: record.inetDiagMsgSocketSourcePort),
            SSAddress(host: record.inetDiagMsgSocketDestination.text, port: record.inetDiagMsgSocketDestinationPort))
    }

    /// The sockets `ss -tan` lists in `namespace`.
    public static func ssKeys(in namespace: TestNamespace) throws -> [String] {
        SSOutput.parse(try Shell.run(namespace.exec(["ss", "-tan"]))).map { key($0.local, $0.peer) }
    }
}
