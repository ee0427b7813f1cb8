/// The gRPC API's listener (`-grpcListen`, `-grpcTLSCert`, `-grpcTLSKey`,
/// `-grpcToken`, `-grpcStreamQueueBytes`).
public struct GRPCSettings: Sendable, Equatable {
    /// HOST:PORT; nil: no gRPC listener. Loopback unless the operator names
    /// another address.
    public var listen: String? = "127.0.0.1:8889"
    /// PEM certificate chain and private key: TLS when both are given.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The bearer token every call must carry (`authorization: Bearer …`);
    /// nil: none asked. Never printed.
    public var token: String?
    /// Bytes of envelopes each record-stream client may have waiting; more
    /// are dropped for that client, counted.
    public var streamQueueBytes = 8 << 20

    public init() {}

    public var usesTLS: Bool { tlsCertificate != nil }
}
