import Platform
#if canImport(Glibc)
import Glibc
#endif

/// What can be known of a broker list before and after librdkafka tries
/// it, in words an operator can act on: a name that does not resolve (a
/// typo: said at once, not after `-kafkaStartTimeout`), a port that
/// refuses, a host that does not answer, one that accepts but speaks no
/// Kafka. librdkafka alone says "Broker transport failure" for them all.
enum BrokerProbe {
    struct Broker: Sendable {
        var host: String
        var port: UInt16
        var text: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// `host:port[,host:port…]` (brackets around an IPv6 host); the ones
    /// that do not parse are left to librdkafka.
    static func brokers(_ list: String) -> [Broker] {
        list.split(separator: ",").compactMap { item in
            let text = item.trimmingWhitespace
            guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return host.isEmpty ? nil : Broker(host: host, port: port)
        }
    }

    /// Why none of `brokers` can be used, when not one name resolves; nil
    /// when one does.
    static func unresolvable(_ brokers: [Broker]) -> String? {
        var reasons: [String] = []
        for broker in brokers {
            do {
                _ = try ResolvedAddress(host: broker.host, port: broker.port, type: Int32(SOCK_STREAM.rawValue))
                return nil
            } catch {
                reasons.append("\(broker.host): \(error.reason)")
            }
        }
        return reasons.isEmpty ? nil : "no broker name resolves (\(reasons.joined(separator: "; ")))"
    }

    /// What each broker does with a TCP connection, for the message when
    /// librdkafka could reach none of them within `waited`.
    static func diagnose(_ brokers: [Broker], waited: Duration) -> String? {
        let said = brokers.map { broker -> String in
            let address: ResolvedAddress
            do throws(ResolvedAddress.ResolveError) { address = try ResolvedAddress(host: broker.host, port: broker.port, type: Int32(SOCK_STREAM.rawValue)) } catch {
                return "\(broker.host) does not resolve (\(error.reason))"
            }
            do throws(SystemError) {
                let socket = try address.socket(type: Int32(SOCK_STREAM.rawValue))
                // connect(2) gives up at the send timeout (EINPROGRESS).
                try Syscall.setTimeout(descriptor: socket.rawValue, option: SO_SNDTIMEO, .seconds(1))
                try address.connect(socket)
                return "\(broker.text) accepts connections but gave no Kafka answer within \(waited.goSpelling)"
            } catch {
                switch error.errno {
                case ECONNREFUSED: return "\(broker.text) refused the connection"
                case EINPROGRESS, ETIMEDOUT: return "\(broker.text) did not answer a connection within 1s"
                default: return "\(broker.text): \(Errno.describe(error.errno))"
                }
            }
        }
        return said.isEmpty ? nil : said.joined(separator: "; ")
    }
}
