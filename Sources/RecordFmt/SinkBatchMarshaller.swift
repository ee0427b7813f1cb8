/// A marshaller whose batch is its sink's bytes as they stand (jsonl,
/// protoText, csv, tsv, msgpack): the batch, its size and its reset are
/// the same for all of them.
protocol SinkBatchMarshaller: Marshaller {
    var sink: TextSink { get set }
    var rowCount: Int { get set }
}

extension SinkBatchMarshaller {
    public var byteCount: Int { sink.bytes.count }

    public func withBatch<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try sink.bytes.withUnsafeBytes(body)
    }

    public func reset() {
        sink.bytes.removeAll(keepingCapacity: true)
        rowCount = 0
    }
}
