import Platform

/// A duration written as Go's `time.ParseDuration` reads it, as xtcp2's
/// flags take them: a sequence of decimal numbers, each with a unit
/// (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), such as `500ms`, `10s`, `1m30s`,
/// `1.5h`. A bare `0` is zero. Negative durations are refused: no xtcp flag
/// has a use for one.
public struct GoDuration: Equatable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func seconds(_ s: Int64) -> GoDuration { GoDuration(nanoseconds: s * 1_000_000_000) }

    public var duration: Duration { .nanoseconds(nanoseconds) }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var text: String
        public var reason: String
        public var description: String { "\"\(text)\": \(reason) (examples: 500ms, 10s, 1m, 1h30m)" }
    }

    static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    public init(parsing text: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        if text == "0" {
            nanoseconds = 0
            return
        }
        guard !text.isEmpty else { throw fail("empty") }
        guard !text.hasPrefix("-") else { throw fail("negative") }
        var rest = Substring(text.hasPrefix("+") ? String(text.dropFirst()) : text)
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else {
                throw fail("expected a number at \"\(rest)\"")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unitText.isEmpty else { throw fail("missing unit after \(number)") }
            guard let unit = Self.units.first(where: { $0.0 == unitText }) else {
                throw fail("unknown unit \"\(unitText)\"")
            }
            rest = rest.dropFirst(unitText.count)
            total += value * Double(unit.1)
        }
        guard total < Double(Int64.max) else { throw fail("too large") }
        nanoseconds = Int64(total.rounded())
    }

    /// Go's spelling without zero tails (`2h` where Go prints `2h0m0s`): `1m30s`, `500ms`, `0s`.
    public var description: String { duration.goSpelling }
}
