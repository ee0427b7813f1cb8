import Destinations
import GRPCCore
import Logging
import XTCP

/// xtcp2's `xtcp_flat_record.v1.XTCPFlatRecordService`, registered by hand:
/// its responses are the envelopes' rows as the netlinkers encoded them
/// (`EnvelopeRows`), so neither side of the stream decodes a record, and
/// its requests are empty messages. Each client has its own bounded queue
/// (`RecordStreamClient`): one that reads slowly loses records, counted,
/// and never slows a poll (xtcp2 sends from inside its netlinkers).
struct RecordStreamService: RegistrableRPCService {
    static let service = "xtcp_flat_record.v1.XTCPFlatRecordService"
    static let flatRecords = MethodDescriptor(fullyQualifiedService: service, method: "FlatRecords")
    static let pollFlatRecords = MethodDescriptor(fullyQualifiedService: service, method: "PollFlatRecords")

    let handles: DaemonHandles
    let metrics: CallMetrics

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(forMethod: Self.flatRecords, deserializer: EmptyMessage.Deserializer(), serializer: FramedResponse.Serializer()) {
            request, context in
            for try await _ in request.messages {}
            return StreamingServerResponse { writer in
                try await stream(everyPoll: true, to: writer, context: context) { client, send in
                    while let item = await client.next() { try await send(item) }
                }
                return [:]
            }
        }
        router.registerHandler(forMethod: Self.pollFlatRecords, deserializer: EmptyMessage.Deserializer(), serializer: FramedResponse.Serializer()) {
            request, context in
            StreamingServerResponse { writer in
                try await stream(everyPoll: false, to: writer, context: context) { client, send in
                    // Each request polls once; its records, then the next.
                    for try await _ in request.messages {
                        let records = handles.records
                        guard let poll = await handles.control.poll(joiningInFlight: false, onBegin: { records.include(client, poll: $0) }) else {
                            throw RPCError(code: .unavailable, message: "xtcp is stopping: no more polls")
                        }
                        while let item = await client.next() {
                            if case .pollEnded(poll) = item { break }
                            try await send(item)
                        }
                    }
                }
                return [:]
            }
        }
    }

    /// Subscribes for the call, sends what `body` hands `send`, and
    /// unsubscribes (saying what the client took and lost) however the
    /// call ends: done, failed, or cancelled by the client or a shutdown.
    private func stream(everyPoll: Bool, to writer: RPCWriter<FramedResponse>, context: ServerContext,
                        _ body: (RecordStreamClient, (RecordStreamClient.Item) async throws -> Void) async throws -> Void) async throws {
        let method = context.descriptor.method
        let client = handles.records.subscribe(name: context.remotePeer, queueBytes: handles.config.grpc.streamQueueBytes, everyPoll: everyPoll)
        metrics.streamOpened(method)
        var sent: UInt64 = 0
        defer {
            handles.records.unsubscribe(client)
            let tally = client.tally
            metrics.streamClosed(method, sent: sent, dropped: tally.rowsDropped)
            let lost = tally.rowsDropped > 0 ? ", \(tally.rowsDropped) records lost to a full queue (it read slower than xtcp polled)" : ""
            handles.logger.info("grpc: \(method) client \(client.name) ended: \(sent) records sent\(lost)")
        }
        try await withRPCCancellationHandler {
            try await body(client) { item in
                guard case .envelope(let envelope, _) = item else { return }
                try await EnvelopeRows.forEachResponse(in: envelope) { response in
                    try await writer.write(FramedResponse(bytes: response))
                    sent += 1
                }
            }
        } onCancelRPC: {
            handles.logger.debug("grpc: \(method) client \(client.name) cancelled")
            handles.records.unsubscribe(client)
        }
    }
}

/// A response already in its wire form (`EnvelopeRows`).
struct FramedResponse: Sendable {
    var bytes: [UInt8]

    struct Serializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: FramedResponse) throws -> Bytes { Bytes(message.bytes) }
    }
}

/// `FlatRecordsRequest` and `PollFlatRecordsRequest`: no fields; whatever
/// a client sends in them is skipped, as protobuf skips unknown fields.
struct EmptyMessage: Sendable {
    struct Deserializer: MessageDeserializer {
        func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> EmptyMessage { EmptyMessage() }
    }
}
