import Foundation

/// One socket as `ss -tiem` printed it: the columns of its first line and the
/// `key:value` tokens of both lines.
public struct SSSocket: Sendable {
    public var state: String
    public var recvQ: String
    public var sendQ: String
    public var local: SSAddress
    public var peer: SSAddress
    /// `key` → `value` for `key:value` tokens, and `send`/`pacing_rate`/
    /// `delivery_rate` → their following token.
    public var values: [String: String] = [:]
    /// Bare words (ts, sack, ecn, app_limited, the congestion name, ...).
    public var flags: Set<String> = []

    /// The socket cookie (`sk:` is printed in hex).
    public var cookie: UInt64? { values["sk"].flatMap { UInt64($0, radix: 16) } }
}

public struct SSAddress: Hashable, Sendable {
    /// The address as ss printed it, with brackets, `%iface` and `::ffff:` removed.
    public var host: String
    public var port: UInt32

    /// Parses `127.0.0.1:22`, `[::1]:22`, `[::ffff:1.2.3.4]:22`, `*:*`, `0.0.0.0:*`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        let port = String(text[text.index(after: colon)...])
        self.port = port == "*" ? 0 : (UInt32(port) ?? UInt32.max)
        host = host.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
        if host.hasPrefix("::ffff:"), host.contains(".") { host = String(host.dropFirst(7)) }
        self.host = host
    }

    public init(host: String, port: UInt32) {
        var h = host
        if h.hasPrefix("::ffff:"), h.contains(".") { h = String(h.dropFirst(7)) }
        self.host = h
        self.port = port
    }

    /// ss prints a wildcard address as `*`, `0.0.0.0` or `::` depending on version.
    public func matches(_ other: SSAddress) -> Bool {
        guard port == other.port else { return false }
        let wild: Set<String> = ["*", "0.0.0.0", "::"]
        return host == other.host || (wild.contains(host) && wild.contains(other.host))
    }
}

public enum SSOutput {
    /// Parses the text of `ss -tiem -a` (and variants with -p/-e).
    public static func parse(_ text: String) -> [SSSocket] {
        var sockets: [SSSocket] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("State") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if line.first == "\t" || line.first == " " {
                guard !sockets.isEmpty else { continue }
                absorb(tokens, into: &sockets[sockets.count - 1])
            } else {
                guard tokens.count >= 5, let local = SSAddress(tokens[3]), let peer = SSAddress(tokens[4]) else { continue }
                var socket = SSSocket(state: tokens[0], recvQ: tokens[1], sendQ: tokens[2], local: local, peer: peer)
                absorb(Array(tokens.dropFirst(5)), into: &socket)
                sockets.append(socket)
            }
        }
        return sockets
    }

    static func absorb(_ tokens: [String], into socket: inout SSSocket) {
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if ["send", "pacing_rate", "delivery_rate"].contains(token), i + 1 < tokens.count {
                socket.values[token] = tokens[i + 1]
                i += 2
                continue
            }
            if let colon = token.firstIndex(of: ":") {
                let key = String(token[..<colon])
                // cgroup appears twice on some lines; keep the first.
                if socket.values[key] == nil { socket.values[key] = String(token[token.index(after: colon)...]) }
            } else {
                socket.flags.insert(token)
            }
            i += 1
        }
    }
}
