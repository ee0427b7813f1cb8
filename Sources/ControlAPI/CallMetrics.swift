import Destinations
import GRPCCore
import Synchronization

/// The gRPC API's figures for `/metrics`: calls and errors per method (by
/// status code), the record-stream clients connected, and the records they
/// were sent and lost. Labels are methods and status codes: bounded sets.
final class CallMetrics: Sendable {
    private struct State {
        var requests: [String: UInt64] = [:]
        var errors: [ErrorKey: UInt64] = [:]
        var streams: [String: Int] = [:]
        var sent: [String: UInt64] = [:]
        var dropped: [String: UInt64] = [:]
    }

    private struct ErrorKey: Hashable {
        var method: String
        var code: String
    }

    private let state = Mutex(State())

    /// `Service/Method`, the short form, as the label.
    static func label(_ descriptor: MethodDescriptor) -> String {
        "\(descriptor.service.fullyQualifiedService)/\(descriptor.method)"
    }

    func request(_ descriptor: MethodDescriptor) { state.withLock { $0.requests[Self.label(descriptor), default: 0] += 1 } }

    func error(_ descriptor: MethodDescriptor, code: RPCError.Code) {
        state.withLock { $0.errors[ErrorKey(method: Self.label(descriptor), code: "\(code)"), default: 0] += 1 }
    }

    func streamOpened(_ method: String) { state.withLock { $0.streams[method, default: 0] += 1 } }

    func streamClosed(_ method: String, sent: UInt64, dropped: UInt64) {
        state.withLock { state in
            state.streams[method, default: 0] -= 1
            state.sent[method, default: 0] += sent
            state.dropped[method, default: 0] += dropped
        }
    }

    var families: [MetricFamily] {
        let state = state.withLock { $0 }
        func samples(_ values: [String: UInt64]) -> [MetricFamily.Sample] {
            values.sorted { $0.key < $1.key }.map { .init(labels: [("method", $0.key)], value: Double($0.value)) }
        }
        return [
            MetricFamily(name: "xtcp_grpc_requests_total", kind: .counter, help: "gRPC calls, by method.", samples: samples(state.requests)),
            MetricFamily(name: "xtcp_grpc_errors_total", kind: .counter, help: "gRPC calls answered with an error, by method and status code.",
                         samples: state.errors.sorted { ($0.key.method, $0.key.code) < ($1.key.method, $1.key.code) }
                            .map { .init(labels: [("method", $0.key.method), ("code", $0.key.code)], value: Double($0.value)) }),
            MetricFamily(name: "xtcp_grpc_stream_clients", kind: .gauge, help: "Record-stream clients connected, by method (FlatRecords, PollFlatRecords).",
                         samples: state.streams.sorted { $0.key < $1.key }.map { .init(labels: [("method", $0.key)], value: Double($0.value)) }),
            MetricFamily(name: "xtcp_grpc_stream_records_sent_total", kind: .counter, help: "Records sent to record-stream clients that have ended, by method.",
                         samples: samples(state.sent)),
            MetricFamily(name: "xtcp_grpc_stream_records_dropped_total", kind: .counter,
                         help: "Records a record-stream client lost because it read slower than xtcp polled (its queue was full), over clients that have ended, by method.",
                         samples: samples(state.dropped)),
        ]
    }
}

/// Counts every call and how it ended, streams included (their errors
/// come when the stream ends).
struct CallMetricsInterceptor: ServerInterceptor {
    let metrics: CallMetrics

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let descriptor = context.descriptor
        metrics.request(descriptor)
        let response: StreamingServerResponse<Output>
        do { response = try await next(request, context) } catch {
            metrics.error(descriptor, code: (error as? RPCError)?.code ?? .unknown)
            throw error
        }
        switch response.accepted {
        case .failure(let error):
            metrics.error(descriptor, code: error.code)
            return response
        case .success(let contents):
            let metrics = metrics
            return StreamingServerResponse(accepted: .success(.init(metadata: contents.metadata) { writer in
                do { return try await contents.producer(writer) } catch {
                    metrics.error(descriptor, code: (error as? RPCError)?.code ?? .unknown)
                    throw error
                }
            }))
        }
    }
}
