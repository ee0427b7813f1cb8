/// Which record fields the delimited formats write, in which order
/// (`-columns`, by proto field name); every field by default.
public struct RecordColumns: Equatable, Sendable {
    /// Indices into `FlatRecord.fieldDescriptors`, in output order.
    public let indices: [Int]

    public static let all = RecordColumns(indices: Array(FlatRecord.fieldDescriptors.indices))

    init(indices: [Int]) { self.indices = indices }

    public struct UnknownName: Error, CustomStringConvertible {
        public var name: String
        public var description: String { name.isEmpty ? "an empty column name" : "no record field is named \(name), or it is named twice (the names are the .proto's, as jsonl prints them)" }
    }

    /// `a,b,c` by proto name; a name twice or an unknown one is an error.
    public init(names: String) throws(UnknownName) {
        let byName = Dictionary(uniqueKeysWithValues: FlatRecord.fieldDescriptors.enumerated().map { ($1.name, $0) })
        var chosen: [Int] = []
        for name in names.split(separator: ",", omittingEmptySubsequences: false).map({ String($0) }) {
            guard let index = byName[name], !chosen.contains(index) else { throw UnknownName(name: name) }
            chosen.append(index)
        }
        indices = chosen
    }

    public var names: [String] { indices.map { FlatRecord.fieldDescriptors[$0].name } }
}
