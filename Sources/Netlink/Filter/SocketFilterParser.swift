#if canImport(Glibc)
import Glibc
#endif

/// A `-filter` expression that does not parse: where and why.
public struct SocketFilterError: Error, Equatable, CustomStringConvertible {
    /// 1-based column of the offending token (the expression's length + 1
    /// when it ended too soon).
    public var column: Int
    public var message: String

    public var description: String { "at column \(column): \(message)" }
}

extension SocketFilter {
    /// Parses `ss`'s filter language:
    ///
    ///     sport|dport  =|==|!=|<|<=|>|>=|eq|neq|lt|le|gt|ge  [:]PORT
    ///     src|dst  [=|==|!=]  ADDR[/LEN][:PORT] | [V6ADDR][/LEN][:PORT] | V6ADDR[/LEN] | *[:PORT]
    ///     EXPR and|&&|& EXPR,  EXPR or|||| EXPR,  EXPR EXPR (and),  not|! EXPR,  ( EXPR )
    ///
    /// One difference, on purpose: `ss` reads `and` and `or` left to right
    /// with equal precedence (`a or b and c` is `(a or b) and c`), where
    /// most languages bind `and` tighter. An expression mixing them without
    /// parentheses means different things to different readers, so it is
    /// refused here with the position of the second connective.
    public init(parsing text: String) throws(SocketFilterError) {
        // The language is printable ASCII. A NUL inside a word would also
        // end it early for inet_pton, which then reads `f0::` of `f0::\0x`
        // and ignores the rest (found by the `filter` fuzz target).
        if let (offset, bad) = text.enumerated().first(where: { !$0.element.isASCII || ($0.element.asciiValue! < 0x20 && !$0.element.isWhitespace) || $0.element.asciiValue == 0x7F }) {
            let scalar = bad.unicodeScalars.first!.value
            throw SocketFilterError(column: offset + 1, message: "unexpected character U+\(String(scalar, radix: 16, uppercase: true))")
        }
        var parser = SocketFilterParser(text: text)
        self = try parser.parseWhole()
    }
}

/// Recursive descent over `FilterToken`s.
struct SocketFilterParser {
    /// Bounds that keep every walk of the tree (compiling, matching,
    /// printing, comparing: all recursive) far from the end of a stack.
    static let mostTests = 1000
    static let deepestNesting = 100

    private let tokens: [FilterToken]
    private let end: Int
    private var index = 0
    private var tests = 0
    private var depth = 0

    init(text: String) {
        tokens = FilterToken.split(text)
        end = text.count + 1
    }

    private var current: FilterToken? { index < tokens.count ? tokens[index] : nil }
    private var column: Int { current?.column ?? end }

    private func fail(_ message: String) -> SocketFilterError { SocketFilterError(column: column, message: message) }

    mutating func parseWhole() throws(SocketFilterError) -> SocketFilter {
        guard current != nil else { throw fail("empty expression") }
        let filter = try parseSequence()
        if let token = current {
            throw token.text == ")" ? fail("unbalanced ')'") : fail("unexpected '\(token.text)'")
        }
        return filter
    }

    private enum Connective: Equatable { case and, or }

    private static func connective(_ word: String) -> Connective? {
        switch word.lowercased() {
        case "and", "&&", "&": return .and
        case "or", "||", "|": return .or
        default: return nil
        }
    }

    /// Operands joined by one kind of connective (juxtaposition is `and`).
    private mutating func parseSequence() throws(SocketFilterError) -> SocketFilter {
        var result = try parseUnary()
        var kind: Connective?
        while let token = current, token.text != ")" {
            let explicit = Self.connective(token.text)
            let next = explicit ?? .and
            if let kind, kind != next {
                throw fail("'\(token.text)' after '\(kind == .and ? "and" : "or")' without parentheses: ss reads these left to right, others bind 'and' first; add parentheses to say which")
            }
            kind = next
            if explicit != nil {
                index += 1
                guard current != nil else { throw fail("expected an expression after '\(token.text)'") }
            }
            let operand = try parseUnary()
            result = next == .and ? .and(result, operand) : .or(result, operand)
        }
        return result
    }

    private mutating func parseUnary() throws(SocketFilterError) -> SocketFilter {
        guard let token = current else { throw fail("expected an expression") }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.deepestNesting else { throw fail("nested deeper than \(Self.deepestNesting) (parentheses and nots)") }
        if ["sport", "dport", "src", "dst"].contains(token.text.lowercased()) {
            tests += 1
            guard tests <= Self.mostTests else { throw fail("more than \(Self.mostTests) tests") }
        }
        switch token.text.lowercased() {
        case "not", "!":
            index += 1
            return .not(try parseUnary())
        case "(":
            index += 1
            guard current != nil, current?.text != ")" else { throw fail("expected an expression after '('") }
            let inner = try parseSequence()
            guard current?.text == ")" else { throw fail("expected ')'") }
            index += 1
            return inner
        case "sport", "dport":
            index += 1
            return try parsePort(side: token.text.lowercased() == "sport" ? .source : .destination)
        case "src", "dst":
            index += 1
            return try parseHost(side: token.text.lowercased() == "src" ? .source : .destination)
        default:
            throw fail("expected sport, dport, src, dst, not or '(' but found '\(token.text)'")
        }
    }

    private static let comparisons: [String: SocketFilter.Comparison] = [
        "=": .equal, "==": .equal, "eq": .equal, "!=": .notEqual, "neq": .notEqual, "ne": .notEqual,
        "<": .less, "lt": .less, "<=": .lessOrEqual, "le": .lessOrEqual,
        ">": .greater, "gt": .greater, ">=": .greaterOrEqual, "ge": .greaterOrEqual,
    ]

    private mutating func parsePort(side: SocketFilter.Side) throws(SocketFilterError) -> SocketFilter {
        guard let token = current, let comparison = Self.comparisons[token.text.lowercased()] else {
            throw fail("expected a comparison (=, !=, <, <=, >, >=)")
        }
        index += 1
        guard let text = current?.text else { throw fail("expected a port number") }
        let digits = text.hasPrefix(":") ? String(text.dropFirst()) : text
        guard let port = Self.port(digits) else { throw fail("expected a port number (0-65535) but found '\(text)'") }
        index += 1
        return .port(side, comparison, port)
    }

    private mutating func parseHost(side: SocketFilter.Side) throws(SocketFilterError) -> SocketFilter {
        var negate = false
        if let text = current?.text, ["=", "==", "!="].contains(text) {
            negate = text == "!="
            index += 1
        }
        guard let text = current?.text else { throw fail("expected an address") }
        guard let prefix = Self.hostPrefix(text) else {
            throw fail("expected ADDR[/LEN][:PORT], [IPV6][/LEN][:PORT] or *[:PORT] but found '\(text)'")
        }
        index += 1
        let test = SocketFilter.host(side, prefix)
        return negate ? .not(test) : test
    }

    static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return UInt16(text)
    }

    static func port(_ text: String) -> UInt16? { port(Substring(text)) }

    /// `*`, `*:P`, `A.B.C.D[/N][:P]`, `[V6][/N][:P]`, `V6[/N]`.
    static func hostPrefix(_ text: String) -> HostPrefix? {
        if text == "*" { return HostPrefix(family: nil, address: [], prefixLength: 0, port: nil) }
        if text.hasPrefix("*:") {
            guard let port = port(text.dropFirst(2)) else { return nil }
            return HostPrefix(family: nil, address: [], prefixLength: 0, port: port)
        }
        var rest = Substring(text)
        let addressText: Substring
        let family: InetDiagRequest.Family
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            addressText = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            family = .inet6
        } else if rest.filter({ $0 == ":" }).count >= 2 {
            // A bare IPv6 address: its colons leave no room for a port.
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            addressText = rest[..<slash]
            rest = rest[slash...]
            family = .inet6
        } else {
            let stop = rest.firstIndex { $0 == "/" || $0 == ":" } ?? rest.endIndex
            addressText = rest[..<stop]
            rest = rest[stop...]
            family = .inet
        }
        guard let address = parseAddress(String(addressText), family: family) else { return nil }
        var prefixLength = address.count * 8
        if rest.hasPrefix("/") {
            let stop = rest.firstIndex(of: ":") ?? rest.endIndex
            let digits = rest[rest.index(after: rest.startIndex)..<stop]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let length = Int(digits), length <= address.count * 8 else { return nil }
            prefixLength = length
            rest = rest[stop...]
        }
        var port: UInt16?
        if rest.hasPrefix(":") {
            guard let value = Self.port(rest.dropFirst()) else { return nil }
            port = value
            rest = rest[rest.endIndex...]
        }
        guard rest.isEmpty else { return nil }
        return HostPrefix(family: family, address: address, prefixLength: prefixLength, port: port)
    }

    /// inet_pton's bytes (network order), or nil.
    static func parseAddress(_ text: String, family: InetDiagRequest.Family) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: family == .inet ? 4 : 16)
        let ok = bytes.withUnsafeMutableBytes { inet_pton(Int32(family.rawValue), text, $0.baseAddress) == 1 }
        return ok ? bytes : nil
    }
}

/// A word or punctuation of a filter expression, with its column.
struct FilterToken: Equatable {
    var text: String
    var column: Int

    /// Punctuation stands alone (`(`, `)`, `!`, `&&`, `||`, `&`, `|`) or
    /// starts an operator (`=`, `==`, `!=`, `<`, `<=`, `>`, `>=`); anything
    /// else up to a space or punctuation is a word, so `[::1]:80` and
    /// `10.0.0.0/8` are one word each.
    static func split(_ text: String) -> [FilterToken] {
        let characters = Array(text)
        var tokens: [FilterToken] = []
        var i = 0
        let operatorStarts: Set<Character> = ["=", "!", "<", ">"]
        let single: Set<Character> = ["(", ")"]
        let doubled: Set<Character> = ["&", "|"]
        func isBreak(_ c: Character) -> Bool {
            c.isWhitespace || single.contains(c) || doubled.contains(c) || operatorStarts.contains(c)
        }
        while i < characters.count {
            let c = characters[i]
            let start = i
            if c.isWhitespace {
                i += 1
                continue
            } else if single.contains(c) {
                i += 1
            } else if doubled.contains(c) {
                i += (i + 1 < characters.count && characters[i + 1] == c) ? 2 : 1
            } else if operatorStarts.contains(c) {
                i += (i + 1 < characters.count && characters[i + 1] == "=") ? 2 : 1
            } else {
                while i < characters.count, !isBreak(characters[i]) { i += 1 }
            }
            tokens.append(FilterToken(text: String(characters[start..<i]), column: start + 1))
        }
        return tokens
    }
}
