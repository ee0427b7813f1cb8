import Platform
#if canImport(Glibc)
import Glibc
#endif

/// `-dest`, parsed: where batches go.
public enum DestinationSpec: Equatable, Sendable, CustomStringConvertible {
    case stdout
    case null
    case file(path: String)
    case udp(host: String, port: UInt16)
    /// A stream connection: `tcp:HOST:PORT`.
    case tcp(host: String, port: UInt16)
    /// A unix stream socket: `unix:PATH`.
    case unix(path: String)
    /// A unix datagram socket, a datagram per envelope: `unixgram:PATH`.
    case unixgram(path: String)
    case stderr
    /// A Valkey or Redis server: `valkey:HOST:PORT` or `redis:HOST:PORT`
    /// (`scheme` keeps which, for messages).
    case valkey(host: String, port: UInt16, scheme: String)
    /// A NATS server: `nats:nats://HOST:PORT` (xtcp2's form; `tls://` too).
    case nats(url: String)
    /// `http://…` or `https://…`: a POST per envelope.
    case http(url: String)
    /// Bootstrap brokers, `host:port[,host:port…]`.
    case kafka(brokers: String)
    /// Objects in an S3 bucket (`s3:`; where and how: the `-s3*` flags).
    case s3

    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var why: String
        public var description: String { "\"\(text)\": \(why)" }
    }

    public init(parsing text: String) throws(ParseError) {
        func fail(_ why: String) -> ParseError { ParseError(text: text, why: why) }
        let (scheme, rest) = text.firstIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) } ?? (text, "")
        switch scheme {
        case "stdout" where rest.isEmpty: self = .stdout
        case "null" where rest.isEmpty: self = .null
        case "stderr" where rest.isEmpty: self = .stderr
        case "s3":
            guard rest.isEmpty else { throw fail("s3: takes nothing after the colon: the bucket and the rest are -s3Bucket, -s3Endpoint, …") }
            self = .s3
        case "tcp":
            let (host, port) = try Self.hostPort(rest, failing: fail)
            self = .tcp(host: host, port: port)
        case "unix", "unixgram":
            guard rest.hasPrefix("/") || rest.hasPrefix("@"), UnixSocketAddress(rest) != nil else {
                throw fail("\(scheme): needs an absolute socket path under 108 bytes, or @NAME (\(scheme):/run/collector.sock)")
            }
            self = scheme == "unix" ? .unix(path: rest) : .unixgram(path: rest)
        case "nats":
            let afterScheme = rest.firstIndex(of: ":").map { rest[$0...] } ?? ""
            guard rest.hasPrefix("nats://") || rest.hasPrefix("tls://"), afterScheme.count > 3 else {
                throw fail("nats: needs a server URL, nats:nats://HOST:PORT")
            }
            _ = try Self.hostPort(String(afterScheme.dropFirst(3).split(separator: "@").last ?? ""), failing: fail)
            self = .nats(url: rest)
        case "http", "https":
            let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" }
            guard rest.hasPrefix("//"), !authority.isEmpty, !authority.hasSuffix("@"), text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw fail("\(scheme): needs a URL, \(scheme)://HOST[:PORT]/PATH")
            }
            self = .http(url: text)
        case "valkey", "redis":
            let (host, port) = try Self.hostPort(rest, failing: fail)
            self = .valkey(host: host, port: port, scheme: scheme)
        case "file":
            guard !rest.isEmpty else { throw fail("file: needs a path (file:/var/tmp/xtcp.bin)") }
            self = .file(path: rest)
        case "udp":
            let (host, port) = try Self.hostPort(rest, failing: fail)
            self = .udp(host: host, port: port)
        case "kafka":
            let brokers = rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !rest.isEmpty else { throw fail("kafka: needs brokers (kafka:host:9092[,host:9092])") }
            for broker in brokers { _ = try Self.hostPort(broker, failing: fail) }
            self = .kafka(brokers: rest)
        default:
            throw fail("expected stdout, stderr, null, file:PATH, udp:HOST:PORT, tcp:HOST:PORT, unix:PATH, unixgram:PATH, valkey:HOST:PORT, redis:HOST:PORT, nats:nats://HOST:PORT, http(s)://HOST/PATH, s3: or kafka:HOST:PORT[,HOST:PORT…]")
        }
    }

    /// `host:port`, `[v6]:port` or `v6:…:port` (the last colon splits).
    static func hostPort(_ text: String, failing fail: (String) -> ParseError) throws(ParseError) -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":") else { throw fail("\"\(text)\" has no :PORT") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw fail("\"\(text)\" has no host") }
        guard let port = UInt16(text[text.index(after: colon)...]), port > 0 else {
            throw fail("\"\(text)\": the port must be 1 to 65535")
        }
        return (host, port)
    }

    public var description: String {
        switch self {
        case .stdout: return "stdout"
        case .null: return "null"
        case .file(let path): return "file:\(path)"
        case .udp(let host, let port): return host.contains(":") ? "udp:[\(host)]:\(port)" : "udp:\(host):\(port)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        case .unixgram(let path): return "unixgram:\(path)"
        case .valkey(let host, let port, let scheme): return host.contains(":") ? "\(scheme):[\(host)]:\(port)" : "\(scheme):\(host):\(port)"
        case .stderr: return "stderr"
        case .http(let url): return Self.withoutUserinfo(url)
        case .nats(let url): return "nats:" + Self.withoutUserinfo(url)
        case .kafka(let brokers): return "kafka:\(brokers)"
        case .s3: return "s3:"
        }
    }

    /// One datagram per envelope (udp:, unixgram:): envelopes must fit one.
    public var isDatagram: Bool {
        switch self {
        case .udp, .unixgram: return true
        default: return false
        }
    }

    /// Opens the destination; a destination that cannot be opened or reached
    /// throws `DestinationUnavailable`.
    public func open(_ settings: DestinationSettings = DestinationSettings()) throws -> any Destination {
        let file = settings.file
        switch self {
        case .stdout: return try FileDestination(stdout: file)
        case .null: return NullDestination()
        case .file(let path):
            return try FileDestination(path: path, settings: file)
        case .udp(let host, let port):
            return try DatagramDestination(host: host, port: port)
        case .unixgram(let path):
            return try DatagramDestination(unixgram: path)
        case .nats(let url):
            return try NATSDestination(url: url, name: description, subject: settings.kafka.topic, jetStream: settings.natsJetStream, patience: file.patience)
        case .http(let url):
            return try HTTPDestination(url: url, name: description, settings: settings.http, patience: file.patience)
        case .valkey(let host, let port, _):
            return ValkeyDestination(name: description, host: host, port: port, key: settings.kafka.topic, settings: settings.valkey, patience: file.patience)
        case .tcp(let host, let port):
            do {
                return StreamDestination(name: description, peer: .tcp(try ResolvedAddress(host: host, port: port, type: Int32(SOCK_STREAM.rawValue))),
                                         patience: file.patience, header: file.header)
            } catch {
                throw DestinationUnavailable(description: "-dest \(description): cannot resolve \(host): \(error.reason)")
            }
        case .unix(let path):
            return StreamDestination(name: description, peer: .unix(UnixSocketAddress(path)!), patience: file.patience, header: file.header)
        case .stderr: return try FileDestination(stderr: file)
        case .kafka(let brokers):
            return try KafkaDestination(brokers: brokers, settings: settings.kafka)
        case .s3:
            return try S3Destination(settings: settings.s3, header: file.header, caFile: settings.http.caFile, patience: file.patience)
        }
    }

    /// A URL as it may be shown: `user:password@` taken out.
    static func withoutUserinfo(_ url: String) -> String {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return url }
        let start = url.index(colon, offsetBy: 3)
        let authorityEnd = url[start...].firstIndex { $0 == "/" || $0 == "?" } ?? url.endIndex
        guard let at = url[start..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<start]) + "…@" + String(url[url.index(after: at)...])
    }
}

