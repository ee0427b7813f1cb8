import Platform
#if canImport(Glibc)
import Glibc
#endif

/// One datagram per batch: `udp:HOST:PORT`, or `unixgram:PATH`. A batch
/// larger than a datagram can carry is refused and counted (`tooLarge`),
/// never split: a consumer reads each datagram as one whole envelope.
///
/// A UDP socket is connected once (its errors come back on later sends).
/// A unix datagram socket is not: each batch is sent to the path, so a
/// receiver that restarts and binds it again is written to at once. Its
/// receiver absent (no socket at the path, or nobody bound to it) drops
/// the batch as `unreachable`; its receive queue full, as `stalled`
/// (xtcp never waits on it).
public final class DatagramDestination: Destination, @unchecked Sendable {  // `socket` is set in init and closed once
    private var socket: FileDescriptor?
    private let descriptor: Int32
    private let unixPeer: UnixSocketAddress?
    let name: String
    /// The largest payload: for UDP, 65,535 less the IP and UDP headers
    /// (IPv6's header is not counted in its payload length).
    public let maxDatagram: Int

    public static let maxIPv4Datagram = 65_507
    public static let maxIPv6Datagram = 65_527

    init(host: String, port: UInt16) throws {
        name = DestinationSpec.udp(host: host, port: port).description
        let address: ResolvedAddress
        do { address = try ResolvedAddress(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue)) } catch {
            throw DestinationUnavailable(description: "-dest \(name): cannot resolve \(host): \(error.reason)")
        }
        let socket = try Self.opened(name: name) { () throws(SystemError) in
            let socket = try address.socket(type: Int32(SOCK_DGRAM.rawValue))
            try address.connect(socket)
            return socket
        }
        descriptor = socket.rawValue
        self.socket = consume socket
        unixPeer = nil
        maxDatagram = address.family == AF_INET6 ? Self.maxIPv6Datagram : Self.maxIPv4Datagram
    }

    init(unixgram path: String) throws {
        name = DestinationSpec.unixgram(path: path).description
        let socket = try Self.opened(name: name) { () throws(SystemError) in try Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue)) }
        descriptor = socket.rawValue
        self.socket = consume socket
        unixPeer = UnixSocketAddress(path)
        maxDatagram = Self.maxIPv4Datagram  // the same envelope limits as udp:
    }

    /// The socket `open` makes; its failure is the destination unavailable.
    private static func opened(name: String, _ open: () throws(SystemError) -> FileDescriptor) throws(DestinationUnavailable) -> FileDescriptor {
        do { return try open() } catch {
            throw DestinationUnavailable(description: "-dest \(name): \(error.call.rawValue): \(Errno.describe(error.errno))")
        }
    }

    public func write(_ batch: UnsafeRawBufferPointer, rows: Int) throws -> WriteOutcome {
        guard batch.count <= maxDatagram else {
            throw DestinationDrop(
                reason: .tooLarge,
                detail: "an envelope of \(batch.count) bytes does not fit a datagram (\(maxDatagram) bytes): lower -envelopeFlushBytes")
        }
        // One send(2) per datagram is atomic: no lock across netlinkers.
        let sent: IOResult<Int>
        do {
            if let unixPeer {
                sent = try unixPeer.withSockaddr { address, length throws(SystemError) in
                    try Syscall.sendTo(descriptor: descriptor, bytes: batch, address: address, length: length, flags: Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
            } else {
                sent = try Syscall.send(descriptor: descriptor, bytes: batch)
            }
        } catch where error.errno == EMSGSIZE {
            throw DestinationDrop(reason: .tooLarge, detail: "send to \(name): envelope of \(batch.count) bytes: \(Errno.describe(error.errno))")
        } catch where unixPeer != nil && [ENOENT, ECONNREFUSED, ENOTSOCK, EPROTOTYPE].contains(error.errno) {
            throw DestinationDrop(reason: .unreachable, detail: "send to \(name): no receiver (\(Errno.describe(error.errno)))")
        } catch {
            throw DestinationError(what: "send to \(name)", errno: error.errno)
        }
        guard case .processed = sent else {
            if unixPeer != nil { throw DestinationDrop(reason: .stalled, detail: "send to \(name): its receiver's queue is full") }
            throw DestinationError(what: "send to \(name)", errno: EAGAIN)
        }
        return .delivered
    }

    public func close() throws {
        guard let owned = socket.take() else { return }
        if let error = owned.close() { throw DestinationError(what: "close \(name)", errno: error) }
    }
}
