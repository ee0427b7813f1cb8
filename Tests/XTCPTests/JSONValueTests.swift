import Testing
@testable import XTCP

/// The daemon's JSON reader, against what RFC 8259 allows and forbids.
@Suite("JSON: the reader of the runtimes' answers")
struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test("values: objects, arrays, strings with every escape and a surrogate pair, numbers, literals, white space around")
    func values() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} "#)
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.string == "q\"\\/\u{8}\u{c}\n\r\té😀")
        #expect(value["o"] == .object([:]) && value["missing"] == nil)
        #expect(try parse(#""\ud800x""#).string == "\u{FFFD}x", "a lone surrogate repaired")
    }

    @Test("errors: torn, trailing text, bare words, control characters, bad escapes and numbers, nesting past 64", arguments: [
        #"[{"Id":"4f9e"#, "[] []", "nul", "\"a\u{1}b\"", #""\x""#, #""\u12""#, "-", "1.", "1e", "{\"a\" 1}", "[1,]",
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
    ])
    func errors(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try parse(text) }
    }

    @Test("nesting to 64 deep is read")
    func deep() throws {
        #expect(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).array?.count == 1)
    }
}
