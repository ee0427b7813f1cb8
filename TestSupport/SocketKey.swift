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

    /// The sockets `ss -tanH ARGUMENTS` lists in `namespace` (a state
    /// filter, an expression). The addresses are the last two columns: ss
    /// leaves out the State column when one state is asked for.
    public static func ssKeys(in namespace: TestNamespace, _ arguments: [String] = []) throws -> [String] {
        try Shell.run(namespace.exec(["ss", "-tanH"] + arguments)).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, let local = SSAddress(String(fields[fields.count - 2])),
                  let peer = SSAddress(String(fields[fields.count - 1])) else { return nil }
            return key(local, peer)
        }
    }
}
