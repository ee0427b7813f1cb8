#if canImport(Glibc)
import Glibc
#endif

/// One datagram per batch to `udp:HOST:PORT`. A batch larger than a datagram
/// can carry is refused and counted (`tooLarge`), never split: a consumer
/// reads each datagram as one whole envelope.
public final class UDPDestination: Destination {
    let descriptor: Int32
    let name: String
    /// The largest UDP payload: 65,535 less the IP and UDP headers (IPv6's
    /// header is not counted in its payload length).
    public let maxDatagram: Int

    public static let maxIPv4Datagram = 65_507
    public static let maxIPv6Datagram = 65_527

    init(host: String, port: UInt16) throws {
        name = DestinationSpec.udp(host: host, port: port).description
        let address: ResolvedAddress
        do { address = try ResolvedAddress(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue)) } catch {
            throw DestinationUnavailable(description: "-dest \(name): cannot resolve \(host): \(error.reason)")
        }
        let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DestinationUnavailable(description: "-dest \(name): socket: \(String(cString: strerror(errno)))") }
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw DestinationUnavailable(description: "-dest \(name): connect: \(reason)")
        }
        descriptor = fd
        maxDatagram = address.family == AF_INET6 ? Self.maxIPv6Datagram : Self.maxIPv4Datagram
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        guard batch.count <= maxDatagram else {
            throw DestinationDrop(
                reason: .tooLarge,
                detail: "an envelope of \(batch.count) bytes does not fit a UDP datagram (\(maxDatagram) bytes): lower -envelopeFlushBytes")
        }
        // send(2) on a datagram socket is atomic: no lock across netlinkers.
        while Glibc.send(descriptor, batch.baseAddress, batch.count, Int32(MSG_NOSIGNAL)) < 0 {
            if errno == EINTR { continue }
            if errno == EMSGSIZE {
                throw DestinationDrop(reason: .tooLarge, detail: "send to \(name): envelope of \(batch.count) bytes: \(String(cString: strerror(errno)))")
            }
            throw DestinationError(what: "send to \(name)", errno: errno)
        }
        return .delivered
    }

    public func close() throws {
        if Glibc.close(descriptor) != 0 { throw DestinationError(what: "close \(name)", errno: errno) }
    }
}
