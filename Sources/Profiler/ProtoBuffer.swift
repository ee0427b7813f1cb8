/// A growable protobuf writer for the profile (built once per request, so
/// clarity over speed; the record encoder's fast writer lives in RecordFmt).
struct ProtoBuffer {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint field; zero is the default and is left out.
    mutating func field(_ number: Int, _ value: UInt64) {
        guard value != 0 else { return }
        varint(UInt64(number << 3))
        varint(value)
    }

    mutating func field(_ number: Int, _ value: Int64) { field(number, UInt64(bitPattern: value)) }
    mutating func field(_ number: Int, _ value: Int) { field(number, UInt64(bitPattern: Int64(value))) }
    mutating func field(_ number: Int, _ value: Bool) { field(number, value ? UInt64(1) : 0) }

    mutating func field(_ number: Int, bytes value: some Collection<UInt8>) {
        varint(UInt64(number << 3 | 2))
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func field(_ number: Int, message: ProtoBuffer) { field(number, bytes: message.bytes) }

    /// A packed repeated varint field.
    mutating func packed(_ number: Int, _ values: some Sequence<UInt64>) {
        var inner = ProtoBuffer()
        for value in values { inner.varint(value) }
        field(number, message: inner)
    }
}
