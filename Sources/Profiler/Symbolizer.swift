import CProfiler

/// Names code addresses of this process: the object each address lies in
/// (from the memory maps), the function symbol covering it (from that
/// object's ELF symbol table), demangled. Built per profile: objects are
/// read once each, and only those the samples touch.
public struct Symbolizer {
    public struct Frame: Hashable {
        /// The function's readable name, or `object+0xoffset` when unknown.
        public var function: String
        /// The symbol as linked (mangled), empty when unknown.
        public var systemName: String
        /// The object file the code belongs to.
        public var object: String
    }

    let maps = MemoryMaps()
    private var objects: [String: ELFSymbols?] = [:]
    private var names: [UInt64: Frame] = [:]

    public init() {}

    public mutating func frame(at address: UInt64) -> Frame {
        if let known = names[address] { return known }
        let frame = lookUp(address)
        names[address] = frame
        return frame
    }

    private mutating func lookUp(_ address: UInt64) -> Frame {
        guard let mapping = maps.mapping(containing: address) else {
            return Frame(function: "0x" + String(address, radix: 16), systemName: "", object: "?")
        }
        let object = mapping.path.isEmpty ? "[anonymous]" : mapping.path
        if objects[object] == nil { objects[object] = ELFSymbols.loading(path: object) }
        let unknown = Frame(function: "\(basename(object))+0x\(String(address - mapping.objectStart, radix: 16))",
                            systemName: "", object: object)
        guard let symbols = objects[object] ?? nil else { return unknown }
        let fileAddress = address &- mapping.objectStart &+ symbols.firstLoadAddress
        guard let symbol = symbols.symbol(containing: fileAddress) else { return unknown }
        return Frame(function: Self.demangle(symbol.name), systemName: symbol.name, object: object)
    }

    /// A Swift or C++ name made readable; C names as they are.
    public static func demangle(_ name: String) -> String {
        var out = [CChar](repeating: 0, count: 4096)
        guard xtcp_demangle(name, &out, out.count) == 1 else { return name }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func basename(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
