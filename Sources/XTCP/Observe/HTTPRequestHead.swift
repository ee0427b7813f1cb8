/// What the operator's HTTP listener makes of the bytes a client has sent
/// so far: a request line and headers read to their blank line (anything
/// after it, a pipelined request or a body, is not read: the connection
/// closes after one answer), or a refusal as soon as the bytes allow one
/// (a method other than GET or HEAD is refused when its request line is
/// in, without waiting for headers or a body), or a wait for more.
/// A pure function of the bytes, fuzzed by `xtcp-fuzz http`.
public enum HTTPRequestHead: Equatable, Sendable {
    case incomplete
    case request(HTTPListener.Request)
    /// Answer with `status` and close.
    case refused(status: Int, reason: String)

    /// The most a request head may take.
    public static let maxBytes = 8192

    public init(parsing bytes: some Collection<UInt8>) {
        let bytes = Array(bytes.prefix(Self.maxBytes + 1))
        guard let lineEnd = Self.find([0x0D, 0x0A], in: bytes) else {
            // No request line yet: refuse what can never become one.
            if bytes.count > Self.maxBytes { self = .refused(status: 431, reason: "request header fields too large") }
            else if let first = bytes.first, !(0x41...0x5A).contains(first) { self = .refused(status: 400, reason: "malformed request") }
            else { self = .incomplete }
            return
        }
        let line = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/"), !parts[0].isEmpty,
              parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            self = .refused(status: 400, reason: "malformed request")
            return
        }
        guard ["GET", "HEAD"].contains(parts[0]) else {
            self = .refused(status: 405, reason: "only GET and HEAD")
            return
        }
        guard Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes) != nil else {
            self = bytes.count > Self.maxBytes ? .refused(status: 431, reason: "request header fields too large") : .incomplete
            return
        }
        let target = parts[1]
        let question = target.firstIndex(of: "?")
        self = .request(HTTPListener.Request(
            method: String(parts[0]), path: String(target[..<(question ?? target.endIndex)]),
            query: question.map { String(target[target.index(after: $0)...]) } ?? ""))
    }

    /// Where `needle` first starts in `bytes`.
    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return start }
        }
        return nil
    }
}

/// A request target's query, `a=1&b=2`, as a dictionary (no
/// percent-decoding: the values xtcp reads are numbers). Empty parts are
/// kept, so that `=` is the key `""`: any query is a dictionary, never a
/// trap. Fuzzed with the request head (`xtcp-fuzz http`).
public enum HTTPQuery {
    public static func parameters(_ query: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
        return out
    }
}
