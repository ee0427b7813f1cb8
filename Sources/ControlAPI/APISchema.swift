// FoundationEssentials (Data, base64), not Foundation: the whole of it
// (ICU, locales) would add megabytes to every xtcp's resident memory.
import FoundationEssentials
import SwiftProtobuf

/// The gRPC API's descriptor set (`Generated/xtcp_api.pb`, embedded as
/// `APIDescriptorSet`): what server reflection serves, and the field
/// names `Set` reports by number.
struct APISchema: Sendable {
    let files: [Google_Protobuf_FileDescriptorProto]
    /// Each file serialized, by name: reflection's answer.
    let serialized: [String: Data]
    /// The file that declares each fully qualified symbol: messages and
    /// enums (nested too), services and their methods.
    let symbols: [String: String]

    static let embedded: APISchema = {
        guard let bytes = Data(base64Encoded: APIDescriptorSet.base64),
              let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: bytes), let schema = try? APISchema(set) else {
            preconditionFailure("APIDescriptorSet does not hold a descriptor set: run scripts/generate-grpc.sh")
        }
        return schema
    }()

    init(_ set: Google_Protobuf_FileDescriptorSet) throws {
        files = set.file
        var serialized: [String: Data] = [:]
        var symbols: [String: String] = [:]
        for file in set.file {
            serialized[file.name] = try file.serializedBytes()
            let prefix = file.package.isEmpty ? "" : file.package + "."
            func add(_ messages: [Google_Protobuf_DescriptorProto], under scope: String) {
                for message in messages {
                    let name = scope + message.name
                    symbols[name] = file.name
                    for nested in message.enumType { symbols[name + "." + nested.name] = file.name }
                    add(message.nestedType, under: name + ".")
                }
            }
            add(file.messageType, under: prefix)
            for kind in file.enumType { symbols[prefix + kind.name] = file.name }
            for service in file.service {
                symbols[prefix + service.name] = file.name
                for method in service.method { symbols[prefix + service.name + "." + method.name] = file.name }
            }
        }
        self.serialized = serialized
        self.symbols = symbols
    }

    /// Every service the API's files declare, fully qualified.
    var services: [String] {
        files.flatMap { file in file.service.map { (file.package.isEmpty ? "" : file.package + ".") + $0.name } }
    }

    /// `name` and every file it imports, transitively, dependencies first.
    func fileWithDependencies(_ name: String) -> [Data]? {
        guard serialized[name] != nil else { return nil }
        var order: [String] = []
        func visit(_ file: String) {
            guard !order.contains(file), let proto = files.first(where: { $0.name == file }) else { return }
            for dependency in proto.dependency { visit(dependency) }
            order.append(file)
        }
        visit(name)
        return order.compactMap { serialized[$0] }
    }

    /// The message `name`'s descriptor.
    func message(_ fullName: String) -> Google_Protobuf_DescriptorProto? {
        for file in files {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            func find(_ messages: [Google_Protobuf_DescriptorProto], _ scope: String) -> Google_Protobuf_DescriptorProto? {
                for message in messages {
                    if scope + message.name == fullName { return message }
                    if let nested = find(message.nestedType, scope + message.name + ".") { return nested }
                }
                return nil
            }
            if let found = find(file.messageType, prefix) { return found }
        }
        return nil
    }

    /// The fields of message `fullName` that `asked` (its encoding) sets to
    /// other bytes than `current` holds, by name, in field order: proto3
    /// encodes no field at its default, so a field the caller left alone is
    /// not among them. Compared on the wire, field by field.
    func changedFields(of fullName: String, in asked: [UInt8], against current: [UInt8]) throws -> [String] {
        guard let message = message(fullName) else { return [] }
        let given = try WireFields(asked), held = try WireFields(current)
        return message.field.sorted { $0.number < $1.number }.compactMap { field in
            guard let bytes = given.fields[field.number], bytes != held.fields[field.number] else { return nil }
            return field.name
        }
    }
}

/// A message's top-level fields, each field number's bytes as on the wire
/// (a repeated field's in order), for comparing two encodings.
struct WireFields {
    struct Malformed: Error {}

    var fields: [Int32: [UInt8]] = [:]

    init(_ bytes: [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            let start = index
            guard let tag = EnvelopeRows.varint(bytes, &index) else { throw Malformed() }
            switch tag & 7 {
            case 0: guard EnvelopeRows.varint(bytes, &index) != nil else { throw Malformed() }
            case 1: index += 8
            case 2:
                guard let length = EnvelopeRows.varint(bytes, &index), length <= UInt64(bytes.count - index) else { throw Malformed() }
                index += Int(length)
            case 5: index += 4
            default: throw Malformed()
            }
            guard index <= bytes.count else { throw Malformed() }
            fields[Int32(truncatingIfNeeded: tag >> 3), default: []] += bytes[start..<index]
        }
    }
}
