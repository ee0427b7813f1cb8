import RecordFmt
import Testing
import TestSupport

@Suite("The generated encoder against protobuf-c")
struct FastEncoderTests {
    func encode(_ record: FlatRecord) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: record.maxEncodedSize + ProtoWriter.slack)
        let count = out.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(start: raw.baseAddress!)
            record.encode(into: &writer)
            return writer.position - raw.baseAddress!
        }
        return Array(out.prefix(count))
    }

    @Test("byte-identical to protobuf_c_message_pack on 5,000 random records")
    func randomRecordsMatchProtobufC() {
        var g = SeededGenerator(seed: 0x5eed_0001)
        for i in 0..<5000 {
            let record = FlatRecord.random(using: &g)
            let fast = encode(record)
            let reference = ProtobufCReference.pack(record)
            #expect(fast == reference, "record \(i) differs")
            #expect(record.encodedSize() == reference.count)
            #expect(record.maxEncodedSize >= reference.count)
            if fast != reference { return }
        }
    }

    @Test("an empty record encodes to nothing, as proto3 says")
    func emptyRecord() {
        #expect(encode(FlatRecord()).isEmpty)
        #expect(ProtobufCReference.pack(FlatRecord()).isEmpty)
    }

    @Test("protobuf-c reads back every field the fast encoder wrote")
    func roundTripThroughProtobufC() {
        var g = SeededGenerator(seed: 42)
        let records = (0..<300).map { _ in FlatRecord.random(using: &g) }
        var builder = EnvelopeBuilder(initialCapacity: 4096)
        defer { builder.deallocate() }
        records.forEach { builder.append($0) }
        let decoded = builder.withEnvelope { ProtobufCReference.unpackEnvelope($0) }
        #expect(decoded == records)
    }
}

@Suite("The envelope builder")
struct EnvelopeBuilderTests {
    @Test("running byte count equals protobuf-c's packed envelope, row by row")
    func runningCountIsExact() {
        var g = SeededGenerator(seed: 7)
        var builder = EnvelopeBuilder(initialCapacity: 4096)  // small: forces growth
        defer { builder.deallocate() }
        var records: [FlatRecord] = []
        for i in 0..<400 {
            var record = FlatRecord.random(using: &g)
            if i % 50 == 0 { record.hostname = String(repeating: "h", count: 20_000) }  // 3-byte row length
            if i % 7 == 0 { record = FlatRecord() }  // empty row: 2 bytes
            records.append(record)
            builder.append(record)
            if i % 40 == 0 || i == 399 {
                let reference = ProtobufCReference.packEnvelope(records)
                #expect(builder.byteCount == reference.count)
                let bytes = builder.withEnvelope { Array($0) }
                #expect(bytes == reference)
            }
        }
        #expect(builder.rowCount == 400)
    }

    @Test("ProtobufList framing is uvarint(len) + envelope, and reset reuses the buffer")
    func framing() {
        var g = SeededGenerator(seed: 9)
        var builder = EnvelopeBuilder()
        defer { builder.deallocate() }
        for _ in 0..<3 {
            builder.reset()
            for _ in 0..<200 { builder.append(FlatRecord.random(using: &g)) }
            let envelope = builder.withEnvelope { Array($0) }
            let framed = builder.withProtobufListFrame { Array($0) }
            var prefix = [UInt8]()
            var n = envelope.count
            while n >= 0x80 { prefix.append(UInt8(n & 0x7f) | 0x80); n >>= 7 }
            prefix.append(UInt8(n))
            #expect(framed == prefix + envelope)
            let marshaller = ProtobufListMarshaller()
            #expect(marshaller.byteCount == 1)  // an empty envelope is framed as one zero byte
        }
    }
}

@Suite("Rows with pre-encoded per-poll fields")
struct EncodedPollFieldsTests {
    @Test("append(_:pollFields:owner:) writes the same bytes as append(_:), row by row, whoever owns each socket")
    func sameBytesAsEncodingEveryField() {
        var g = SeededGenerator(seed: 0x5eed_0002)
        var everyField = EnvelopeBuilder(initialCapacity: 4096)  // small: forces growth
        var withPollFields = EnvelopeBuilder(initialCapacity: 4096)
        defer {
            everyField.deallocate()
            withPollFields.deallocate()
        }
        for poll in 0..<60 {
            // One poll: random per-poll fields (sometimes none, sometimes a
            // 20,000-byte label for 3-byte row lengths), then sockets that
            // change only the per-socket fields and the row counter.
            var template = FlatRecord.random(using: &g)
            if poll % 10 == 0 { template = FlatRecord() }
            if poll % 15 == 1 { template.label = String(repeating: "l", count: 20_000) }
            template.resetSocketFields()
            let pollFields = EncodedPollFields(of: template)
            #expect(pollFields.matches(template))
            for socket in 0..<30 {
                var record = FlatRecord.random(using: &g)
                record.copyPollFields(from: template)
                if socket % 4 == 0 { record.recordCounter = 0 }
                // Each socket's owner: none, a container, a pod's container.
                let owner = OwnerStamp([SocketOwner(), SocketOwner(containerID: "c\(socket)", containerRuntime: "docker"),
                                        SocketOwner(containerID: String(repeating: "f", count: 64), containerRuntime: "containerd",
                                                    containerName: "web", containerImage: "nginx:1.27", podUID: "uid-\(poll)",
                                                    podQoSClass: "burstable")][socket % 3])
                record.stampOwner(owner.owner)
                everyField.append(record)
                withPollFields.append(record, pollFields: pollFields, owner: owner.encoded)
            }
            let expected = everyField.withEnvelope { Array($0) }
            let actual = withPollFields.withEnvelope { Array($0) }
            #expect(actual == expected, "poll \(poll)")
            #expect(withPollFields.byteCount == everyField.byteCount)
            if actual != expected { return }
        }
    }

    @Test("matches(_:) notices a changed per-poll field, and ignores per-socket ones")
    func matchesSeesPerPollFieldsOnly() {
        var record = FlatRecord()
        record.hostname = "host-a"
        record.netnsInode = 4_026_531_840
        let pollFields = EncodedPollFields(of: record)
        var other = record
        other.tcpInfoRtt = 1234
        other.recordCounter = 99
        #expect(pollFields.matches(other))
        other.hostname = "host-b"
        #expect(!pollFields.matches(other))
        other = record
        other.uplink2NicSpeedMbps = 25_000
        #expect(!pollFields.matches(other))
    }
}
