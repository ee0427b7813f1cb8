import Platform
#if canImport(Glibc)
import Glibc
#endif

/// One datagram per batch to `udp:HOST:PORT`. A batch larger than a datagram
/// can carry is refused and counted (`tooLarge`), never split: a consumer
/// reads each datagram as one whole envelope.
public final class UDPDestination: Destination, @unchecked Sendable {  // `socket` is set in init and closed once
    private var socket: FileDescriptor?
    private let descriptor: Int32
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
        let socket = try Self.connected(to: address, name: name)
        descriptor = socket.rawValue
        self.socket = consume socket
        maxDatagram = address.family == AF_INET6 ? Self.maxIPv6Datagram : Self.maxIPv4Datagram
    }

    private static func connected(to address: ResolvedAddress, name: String) throws -> FileDescriptor {
        do {
            let socket = try address.socket(type: Int32(SOCK_DGRAM.rawValue))
            try address.connect(socket)
            return socket
        } catch {
            throw DestinationUnavailable(description: "-dest \(name): \(error.call.rawValue): \(Errno.describe(error.errno))")
        }
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        guard batch.count <= maxDatagram else {
            throw DestinationDrop(
                reason: .tooLarge,
                detail: "an envelope of \(batch.count) bytes does not fit a UDP datagram (\(maxDatagram) bytes): lower -envelopeFlushBytes")
        }
        // send(2) on a datagram socket is atomic: no lock across netlinkers.
        do {
            guard case .processed = try Syscall.send(descriptor: descriptor, bytes: batch) else {
                throw DestinationError(what: "send to \(name)", errno: EAGAIN)
            }
        } catch let error as SystemError where error.errno == EMSGSIZE {
            throw DestinationDrop(reason: .tooLarge, detail: "send to \(name): envelope of \(batch.count) bytes: \(Errno.describe(error.errno))")
        } catch let error as SystemError {
            throw DestinationError(what: "send to \(name)", errno: error.errno)
        }
        return .delivered
    }

    public func close() throws {
        guard let owned = socket.take() else { return }
        if let error = owned.close() { throw DestinationError(what: "close \(name)", errno: error) }
    }
}
