import Testing
import XTCP

@Suite("Go-style durations, as xtcp2's flags take them")
struct GoDurationTests {
    @Test("valid spellings", arguments: [
        ("500ms", Int64(500_000_000)), ("10s", 10_000_000_000), ("1m", 60_000_000_000),
        ("1m30s", 90_000_000_000), ("1.5h", 5_400_000_000_000), ("0", 0), ("0s", 0),
        ("250us", 250_000), ("250µs", 250_000), ("42ns", 42), ("+2s", 2_000_000_000), ("0.5s", 500_000_000),
    ])
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == nanoseconds)
    }

    @Test("invalid spellings say what is wrong", arguments: [
        ("", "empty"), ("10", "missing unit"), ("-1s", "negative"), ("10sec", "unknown unit"),
        ("s", "expected a number"), ("1.2.3s", "expected a number"), ("1d", "unknown unit"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            try GoDuration(parsing: text)
        } throws: { error in
            (error as? GoDuration.ParseError)?.reason.contains(reason) == true
        }
    }

    @Test("printed in its shortest form (2h where Go says 2h0m0s), read back the same")
    func roundTrip() throws {
        for text in ["500ms", "10s", "1m30s", "1h0m5s", "2h", "1.25s", "0s", "750µs", "3ns"] {
            let duration = try GoDuration(parsing: text)
            #expect(duration.description == text)
            #expect(try GoDuration(parsing: duration.description) == duration)
        }
    }
}
