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

extension SocketKey {
    /// What is wrong with `envelopes` as `polls` polls of at least
    /// `sockets` sockets each: a poll missing or extra, a socket twice in a
    /// poll, a poll short of sockets. Empty when each poll's sockets are
    /// there exactly once.
    public static func pollProblems(_ envelopes: [[FlatRecord]], polls: Int, sockets: Int) -> [String] {
        let byPoll = Dictionary(grouping: envelopes.joined(), by: \.pollSequence)
        var problems: [String] = []
        if byPoll.keys.sorted() != Array(1...UInt64(polls)) { problems.append("polls \(byPoll.keys.sorted()), not 1...\(polls)") }
        for (poll, records) in byPoll.sorted(by: { $0.key < $1.key }) {
            let keys = records.map(key)
            if Set(keys).count != keys.count || keys.count < sockets {
                problems.append("poll \(poll): \(keys.count) records, \(Set(keys).count) sockets")
            }
        }
        return problems
    }
}
