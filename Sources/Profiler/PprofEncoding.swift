/// A CPU profile as pprof's `profile.proto` (github.com/google/pprof,
/// proto/profile.proto), the format `go tool pprof` and `pprof` read:
/// sample types samples/count and cpu/nanoseconds, one label `thread` per
/// sample, functions already named (mappings say has_functions, so pprof
/// does not try to symbolise them again).
public enum PprofEncoding {
    public static func encode(_ profile: CPUProfile, symbolizer: inout Symbolizer) -> [UInt8] {
        var strings = StringTable()
        var out = ProtoBuffer()
        let periodNanos = Int64(1_000_000_000 / profile.hz)
        let samples = strings["samples"], count = strings["count"], cpu = strings["cpu"], nanoseconds = strings["nanoseconds"]
        out.field(1, message: valueType(samples, count))
        out.field(1, message: valueType(cpu, nanoseconds))

        var locationIDs: [UInt64: UInt64] = [:]
        var locations: [ProtoBuffer] = []
        var functionIDs: [Symbolizer.Frame: UInt64] = [:]
        var functions: [ProtoBuffer] = []
        var mappingIDs: [String: UInt64] = [:]
        let mappings = symbolizer.maps.executable
        for mapping in mappings where mappingIDs[mapping.path] == nil {
            mappingIDs[mapping.path] = UInt64(mappingIDs.count + 1)
        }

        func location(_ address: UInt64) -> UInt64 {
            if let id = locationIDs[address] { return id }
            let frame = symbolizer.frame(at: address)
            let functionID: UInt64
            if let known = functionIDs[frame] {
                functionID = known
            } else {
                functionID = UInt64(functions.count + 1)
                functionIDs[frame] = functionID
                var function = ProtoBuffer()
                function.field(1, functionID)
                function.field(2, strings[frame.function])
                function.field(3, strings[frame.systemName.isEmpty ? frame.function : frame.systemName])
                function.field(4, strings[frame.object])
                functions.append(function)
            }
            let id = UInt64(locations.count + 1)
            locationIDs[address] = id
            var line = ProtoBuffer()
            line.field(1, functionID)
            var location = ProtoBuffer()
            location.field(1, id)
            location.field(2, symbolizer.maps.mapping(containing: address).flatMap { mappingIDs[$0.path] } ?? 0)
            location.field(3, address)
            location.field(4, message: line)
            locations.append(location)
            return id
        }

        let threadKey = strings["thread"]
        for (key, samplesTaken) in profile.counts.sorted(by: { $0.value > $1.value }) {
            var sample = ProtoBuffer()
            sample.packed(1, key.stack.map(location))
            sample.packed(2, [UInt64(samplesTaken), UInt64(Int64(samplesTaken) * periodNanos)])
            var label = ProtoBuffer()
            label.field(1, threadKey)
            label.field(2, strings[profile.threadNames[key.thread] ?? "thread \(key.thread)"])
            sample.field(3, message: label)
            out.field(2, message: sample)
        }
        var written = Set<String>()
        for mapping in mappings where !written.contains(mapping.path) {
            written.insert(mapping.path)
            let whole = mappings.filter { $0.path == mapping.path }
            var encoded = ProtoBuffer()
            encoded.field(1, mappingIDs[mapping.path]!)
            encoded.field(2, mapping.start)
            encoded.field(3, whole.map(\.end).max() ?? mapping.end)
            encoded.field(4, mapping.fileOffset)
            encoded.field(5, strings[mapping.path.isEmpty ? "[anonymous]" : mapping.path])
            encoded.field(7, true)
            out.field(3, message: encoded)
        }
        for location in locations { out.field(4, message: location) }
        for function in functions { out.field(5, message: function) }
        if profile.dropped > 0 { out.packed(13, [UInt64(strings["\(profile.dropped) samples lost: buffer full"])]) }
        for string in strings.all { out.field(6, bytes: Array(string.utf8)) }
        out.field(9, profile.startedWallNanos)
        out.field(10, Int64(profile.duration.inNanoseconds))
        out.field(11, message: valueType(cpu, nanoseconds))
        out.field(12, periodNanos)
        return out.bytes
    }

    static func valueType(_ type: Int, _ unit: Int) -> ProtoBuffer {
        var value = ProtoBuffer()
        value.field(1, type)
        value.field(2, unit)
        return value
    }

    /// pprof's string table: index 0 is the empty string.
    struct StringTable {
        private(set) var all: [String] = [""]
        private var index: [String: Int] = ["": 0]

        subscript(_ string: String) -> Int {
            mutating get {
                if let known = index[string] { return known }
                all.append(string)
                index[string] = all.count - 1
                return all.count - 1
            }
        }
    }
}

extension Duration {
    var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
