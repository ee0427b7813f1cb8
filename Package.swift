// swift-tools-version: 6.0
//
// xtcp: TCP socket diagnostics from every network namespace, to Kafka.
// Module map: ../shared/DESIGN.md ("Modules"). C libraries come from Debian's
// -dev packages (scripts/setup.sh installs them); nothing is vendored but the
// kernel ABI headers (CKernelABI) and protoc-c's output (CXTCPRecord).
import PackageDescription

let package = Package(
    name: "xtcp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "xtcp", targets: ["xtcp"]),
        .executable(name: "xtcp-codegen", targets: ["xtcp-codegen"]),
        .executable(name: "xtcp-kafka-mock", targets: ["xtcp-kafka-mock"]),
        .library(name: "XTCP", targets: ["XTCP"]),
        .library(name: "Netlink", targets: ["Netlink"]),
        .library(name: "RecordFmt", targets: ["RecordFmt"]),
        .library(name: "IOUring", targets: ["IOUring"]),
        .library(name: "Profiler", targets: ["Profiler"]),
        .library(name: "Platform", targets: ["Platform"]),
        .library(name: "Destinations", targets: ["Destinations"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // The gRPC API (ControlAPI): grpc-swift 2 over swift-nio's HTTP/2.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // MARK: C libraries from Debian
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CURing", pkgConfig: "liburing", providers: [.apt(["liburing-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // No pkgConfig: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM
        // refuses with a warning on every build; the shim includes <hiredis/…>.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CNats", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),

        // MARK: Vendored C
        // The kernel ABI xtcp reads (Linux 6.18 layouts), with static asserts.
        .target(name: "CKernelABI"),
        // What Swift cannot reach of glibc: _GNU_SOURCE-only calls, packed
        // structs, <malloc.h>. Platform's only C.
        .target(name: "CPlatform", cSettings: [.define("_GNU_SOURCE")]),
        // The revision, day and compiler of a build (scripts/build-release.sh).
        .target(name: "CBuildInfo"),
        // protoc-c's output for proto/xtcp_flat_record/v1/xtcp_flat_record.proto:
        // the reference codec the fast encoder is tested against.
        .target(name: "CXTCPRecord", dependencies: ["CProtobufC"]),
        // lldpd's client library, loaded at run time (dlopen): Debian ships
        // it inside the lldpd package, which a link would make every xtcp
        // install pull in and start. Its header comes from liblldpctl-dev.
        .target(name: "CLldpctl"),
        // The profiler's signal handlers, per-thread CPU timers and demangler
        // lookup: the parts that must not be Swift (they run inside signals).
        .target(name: "CProfiler"),
        // libcurl's easy interface behind plain functions (curl_easy_setopt
        // is variadic): the HTTP and S3 destinations' only C; OpenSSL's
        // SHA-256 for the S3 payload hash SigV4 signs.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("crypto")]),

        // MARK: Swift modules
        // The leaf: one syscall layer, owned descriptors, threads, epoll,
        // /proc, clocks, address resolution, privileges.
        .target(name: "Platform", dependencies: ["CPlatform"]),
        // Parquet's pages and S3's protobufList objects are zstd-compressed.
        .target(name: "RecordFmt", dependencies: ["CXTCPRecord", "CZstd"]),
        .target(name: "Netlink", dependencies: ["Platform", "CMnl", "CKernelABI", "RecordFmt"]),
        .target(name: "IOUring", dependencies: ["Platform", "CURing"]),
        .target(name: "Profiler", dependencies: ["Platform", "CProfiler", "CZlib"]),
        // Every sink, the batching in front of them, delivery accounting: the
        // only module that links librdkafka, hiredis, libcurl and libnats.
        .target(name: "Destinations", dependencies: ["Platform", "RecordFmt", "CRdKafka", "CHiredis", "CCurl", "CNats"]),
        .target(
            name: "XTCP",
            dependencies: ["Platform", "Netlink", "RecordFmt", "IOUring", "Profiler", "Destinations", "CKernelABI", "CBuildInfo", "CLldpctl",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The gRPC API (xtcp2's ConfigService and XTCPFlatRecordService,
        // health, reflection): the only module that links swift-nio, kept
        // out of XTCP so that the engine builds and runs without it.
        .target(
            name: "ControlAPI",
            dependencies: ["XTCP", "Destinations", "Platform", "RecordFmt",
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Logging", package: "swift-log")],
            exclude: ["Generated/xtcp_api.pb"]
        ),
        .executableTarget(
            name: "xtcp",
            dependencies: ["XTCP", "ControlAPI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: Code generation (schema → Swift encoder)
        .target(name: "XTCPCodegen"),
        .executableTarget(name: "xtcp-codegen", dependencies: ["XTCPCodegen", "XTCP"]),

        // MARK: A local Kafka-protocol broker (librdkafka's mock cluster)
        .executableTarget(name: "xtcp-kafka-mock", dependencies: ["CRdKafka"]),

        // MARK: Fuzzing (scripts/fuzz.sh)
        .executableTarget(name: "xtcp-fuzz", dependencies: ["Netlink", "RecordFmt", "Platform", "XTCP"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Platform", "Netlink", "RecordFmt", "CXTCPRecord"], path: "TestSupport"),
        .testTarget(name: "NetlinkTests", dependencies: ["Platform", "Netlink", "TestSupport", "CKernelABI"]),
        .testTarget(name: "RecordFmtTests", dependencies: ["RecordFmt", "TestSupport", "CXTCPRecord", "XTCPCodegen"]),
        .testTarget(name: "XTCPTests", dependencies: ["XTCP", "Destinations", "Platform", "TestSupport"]),
        .testTarget(name: "IOUringTests", dependencies: ["IOUring", "Platform", "Netlink", "RecordFmt", "TestSupport"]),
    ]
)
