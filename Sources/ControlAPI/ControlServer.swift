import Dispatch
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOPosix
import Synchronization
import XTCP

/// The gRPC API on `-grpcListen`: xtcp2's ConfigService and
/// XTCPFlatRecordService, health and reflection, with TLS and a bearer
/// token when asked. It runs on one event-loop thread of its own and
/// Swift's concurrency pool, never on the poll loop's or a netlinker's
/// thread: a call asks the loop (`PollControl`) and the record stream
/// (`RecordStream`), both of which only take a lock.
///
/// The socket is bound by xtcp (`ListeningSocket`, as `-promListen`'s),
/// before the destination opens: a taken port fails the start in xtcp's
/// words, and the listener is on loopback unless the flag names another
/// address.
public final class ControlServer: SideService, @unchecked Sendable {  // set in init, read-only after
    public static let starter: SideServiceStarter = { handles in try ControlServer(handles) }

    /// The port listened on (the kernel's choice for port 0).
    public let port: UInt16
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let group: MultiThreadedEventLoopGroup
    private let ended = DispatchSemaphore(value: 0)
    private let logger: Logger

    public init(_ handles: DaemonHandles) throws {
        let address = handles.config.grpc.listen ?? "127.0.0.1:8889"
        let socket = try ListeningSocket(address: address, flag: "-grpcListen")
        port = socket.port
        logger = handles.logger
        let grpc = handles.config.grpc
        let security: HTTP2ServerTransport.Posix.TransportSecurity
        if let certificate = grpc.tlsCertificate, let key = grpc.tlsKey {
            security = .tls(certificateChain: [.file(path: certificate, format: .pem)], privateKey: .file(path: key, format: .pem))
        } else {
            security = .plaintext
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let transport = HTTP2ServerTransport.Posix(listeningSocketDescriptor: Int(socket.release()), transportSecurity: security,
                                                   config: .defaults, eventLoopGroup: group)
        let metrics = CallMetrics()
        handles.board.addSource { metrics.families }
        let schema = APISchema.embedded
        var interceptors: [any ServerInterceptor] = [CallMetricsInterceptor(metrics: metrics)]
        if let token = grpc.token { interceptors.append(BearerTokenInterceptor(token: token)) }
        server = GRPCServer(transport: transport, services: [
            ConfigService(handles: handles, schema: schema),
            RecordStreamService(handles: handles, metrics: metrics),
            HealthService(handles: handles),
            ReflectionService(schema: schema),
        ], interceptors: interceptors)

        let server = server, ended = ended
        let failure = FirstFailure()
        Task.detached {
            do { try await server.serve() } catch { failure.note(error) }
            ended.signal()
        }
        // Serving starts on the event loop: a certificate that does not
        // load fails here, at start, not at the first call.
        let listening = DispatchSemaphore(value: 0)
        Task.detached {
            do { _ = try await transport.listeningAddress } catch { failure.note(error) }
            listening.signal()
        }
        listening.wait()
        if let error = failure.first {
            server.beginGracefulShutdown()
            ended.wait()
            try? group.syncShutdownGracefully()
            throw ListeningSocket.Failure(description: "-grpcListen \(address): cannot serve gRPC: \(error)")
        }
        handles.logger.info("xtcp: gRPC API on \(address)\(grpc.usesTLS ? " (TLS)" : "")\(grpc.token != nil ? ", bearer token asked" : "")")
    }

    /// Ends every call (record streams too: a shutdown cancels them);
    /// waits at most 5 s for them. The event-loop thread stays for the
    /// process's life: the transport still schedules its last closes on it
    /// after `serve` returns, and NIO refuses (loudly) a shut-down loop.
    public func stop() {
        server.beginGracefulShutdown()
        if ended.wait(timeout: .now() + .seconds(5)) == .timedOut {
            logger.warning("xtcp: gRPC API: calls still running 5 s after the shutdown began; leaving them")
        }
    }
}

/// The first error of the tasks that start the server.
private final class FirstFailure: Sendable {
    private let error = Mutex<(any Error)?>(nil)
    func note(_ error: any Error) { self.error.withLock { $0 = $0 ?? error } }
    var first: (any Error)? { error.withLock { $0 } }
}
