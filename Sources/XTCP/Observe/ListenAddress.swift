/// `-promListen`'s `HOST:PORT`, `[V6]:PORT` or `:PORT` (every interface),
/// split: what the listener binds and `-healthcheck` connects to.
public struct ListenAddress {
    /// Empty for every interface.
    public var host: String
    public var port: UInt16

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    /// Where a client on this host reaches a listener bound here: loopback
    /// for the wildcard addresses.
    var reachableHost: String {
        switch host {
        case "", "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        default: host
        }
    }
}
