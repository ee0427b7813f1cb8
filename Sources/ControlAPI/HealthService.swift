import GRPCCore
import XTCP

/// `grpc.health.v1.Health`, following `/readyz`: SERVING when the last
/// poll took its sockets to the destination on time, NOT_SERVING
/// otherwise. The server as a whole is "", and each of xtcp's services by
/// name; any other name is NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch),
/// as the protocol asks.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    static let service = "grpc.health.v1.Health"
    static let known: Set<String> = ["", "xtcp_config.v1.ConfigService", RecordStreamService.service, service]
    /// How often Watch looks again.
    static let watchEvery = Duration.seconds(1)

    let handles: DaemonHandles

    private func status() -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        handles.readiness().ready ? .serving : .notServing
    }

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard Self.known.contains(request.service) else { throw RPCError(code: .notFound, message: "no service \(request.service) here") }
        return .with { $0.status = status() }
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
               context: ServerContext) async throws {
        guard Self.known.contains(request.service) else {
            try await response.write(.with { $0.status = .serviceUnknown })
            return
        }
        var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
        while !Task.isCancelled, !context.cancellation.isCancelled {
            let now = status()
            if now != last {
                try await response.write(.with { $0.status = now })
                last = now
            }
            try? await Task.sleep(for: Self.watchEvery)
        }
    }
}
