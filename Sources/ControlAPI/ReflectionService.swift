// FoundationEssentials (Data, base64), not Foundation: the whole of it
// (ICU, locales) would add megabytes to every xtcp's resident memory.
import FoundationEssentials
import GRPCCore
import GRPCProtobuf

/// gRPC server reflection, so that grpcurl and other generic clients list
/// and call the API without its .proto files: `grpc.reflection.v1` and
/// `grpc.reflection.v1alpha` (the same messages on the wire), answered
/// from the API's descriptor set. xtcp's files declare no extensions.
struct ReflectionService: RegistrableRPCService {
    static let services = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]

    let schema: APISchema

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for service in Self.services {
            router.registerHandler(
                forMethod: MethodDescriptor(fullyQualifiedService: service, method: "ServerReflectionInfo"),
                deserializer: ProtobufDeserializer<Grpc_Reflection_V1_ServerReflectionRequest>(),
                serializer: ProtobufSerializer<Grpc_Reflection_V1_ServerReflectionResponse>()
            ) { request, context in
                StreamingServerResponse { writer in
                    for try await question in request.messages { try await writer.write(answer(question)) }
                    return [:]
                }
            }
        }
    }

    func answer(_ question: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = question.host
        response.originalRequest = question
        func files(_ found: [Data]?, _ what: String) {
            if let found {
                response.fileDescriptorResponse = .with { $0.fileDescriptorProto = found }
            } else {
                response.errorResponse = .with {
                    $0.errorCode = Int32(RPCError.Code.notFound.rawValue)
                    $0.errorMessage = "\(what) is not in xtcp's API"
                }
            }
        }
        switch question.messageRequest {
        case .listServices:
            // v1alpha has no file of its own: it is v1 under another name.
            response.listServicesResponse = .with {
                $0.service = (schema.services + [Self.services[1]]).map { name in .with { $0.name = name } }
            }
        case .fileByFilename(let name):
            files(schema.fileWithDependencies(name), "file \(name)")
        case .fileContainingSymbol(let symbol):
            let symbol = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
            files(schema.symbols[symbol].flatMap(schema.fileWithDependencies), "symbol \(symbol)")
        case .fileContainingExtension(let request):
            files(nil, "extension \(request.extensionNumber) of \(request.containingType)")
        case .allExtensionNumbersOfType(let type):
            if schema.message(type) != nil {
                response.allExtensionNumbersResponse = .with { $0.baseTypeName = type }
            } else {
                files(nil, "type \(type)")
            }
        case nil:
            response.errorResponse = .with {
                $0.errorCode = Int32(RPCError.Code.invalidArgument.rawValue)
                $0.errorMessage = "an empty request"
            }
        }
        return response
    }
}
