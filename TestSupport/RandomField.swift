import RecordFmt

/// Random field values for encoder tests: half the time the default (so the
/// encoder's skip of defaults is exercised), otherwise a value whose size is
/// drawn so that every varint length appears.
public enum RandomField {
    static func isDefault<G: RandomNumberGenerator>(using g: inout G) -> Bool { Bool.random(using: &g) }

    static func bits<G: RandomNumberGenerator>(_ max: Int, using g: inout G) -> UInt64 {
        let width = Int.random(in: 1...max, using: &g)
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        return g.next() & mask
    }

    public static func uint32<G: RandomNumberGenerator>(using g: inout G) -> UInt32 {
        isDefault(using: &g) ? 0 : UInt32(truncatingIfNeeded: bits(32, using: &g))
    }

    public static func uint64<G: RandomNumberGenerator>(using g: inout G) -> UInt64 {
        isDefault(using: &g) ? 0 : bits(64, using: &g)
    }

    public static func int64<G: RandomNumberGenerator>(using g: inout G) -> Int64 {
        isDefault(using: &g) ? 0 : Int64(bitPattern: bits(64, using: &g))
    }

    public static func string<G: RandomNumberGenerator>(using g: inout G) -> String {
        if isDefault(using: &g) { return "" }
        let pieces = ["a", "é", "host-", "🦀", "\"", "\\", "\n", "x", "0", "日本", " "]
        // Lengths up to a few hundred bytes cross the 1- and 2-byte length boundaries.
        let count = Int.random(in: 1...(Bool.random(using: &g) ? 8 : 200), using: &g)
        return (0..<count).map { _ in pieces.randomElement(using: &g)! }.joined()
    }

    public static func address<G: RandomNumberGenerator>(using g: inout G) -> InetAddressBytes {
        if isDefault(using: &g) { return InetAddressBytes() }
        let count = Bool.random(using: &g) ? 4 : 16
        return InetAddressBytes((0..<count).map { _ in UInt8.random(in: 0...255, using: &g) })!
    }

    public static func oneOf<T, G: RandomNumberGenerator>(_ all: [T], using g: inout G) -> T {
        all.randomElement(using: &g)!
    }
}
