import GRPCCore

/// `-grpcToken`: every call but the health service's must carry
/// `authorization: Bearer TOKEN`, compared in constant time (a timing
/// difference would tell an attacker how much of a guess was right).
/// Health stays open so that a probe (Kubernetes' grpc probe sends no
/// headers) can ask it; it says only whether xtcp is ready.
struct BearerTokenInterceptor: ServerInterceptor {
    let expected: [UInt8]

    init(token: String) { expected = Array("Bearer \(token)".utf8) }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        if context.descriptor.service.fullyQualifiedService == HealthService.service { return try await next(request, context) }
        let given = request.metadata[stringValues: "authorization"].first(where: { _ in true }).map { Array($0.utf8) } ?? []
        guard Self.same(given, expected) else {
            return StreamingServerResponse(error: RPCError(code: .unauthenticated, message: "this xtcp asks for a bearer token (-grpcToken): send authorization: Bearer TOKEN"))
        }
        return try await next(request, context)
    }

    /// Equal, in a time that depends on the lengths only.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
