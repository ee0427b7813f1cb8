// swift-tools-version: 6.1
//
// xtcp's benchmarks (ordo-one/package-benchmark), in their own package so
// that the daemon's build and test suite never resolve or build the
// benchmark tool. Run from this directory:
//
//     swift package benchmark                     # all benchmarks
//     swift package benchmark --filter Decode     # one group
//     ../scripts/poll-benchmark.sh                # whole polls of 100,000 sockets
//
// Figures and how to read them: ../pgo-notes.md.
import PackageDescription

let package = Package(
    name: "XTCPBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "xtcp", path: ".."),
        // MallocInterposer: counts mallocs per iteration (the zero-allocation goal).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "XTCPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Netlink", package: "xtcp"),
                .product(name: "RecordFmt", package: "xtcp"),
                .product(name: "XTCP", package: "xtcp"),
            ],
            path: "Benchmarks/XTCPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Whole polls of a 100,000-socket farm: run by ../scripts/poll-benchmark.sh,
        // which builds the farm in a namespace and runs this target inside it.
        .executableTarget(
            name: "PollBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Netlink", package: "xtcp"),
                .product(name: "RecordFmt", package: "xtcp"),
                .product(name: "XTCP", package: "xtcp"),
                .product(name: "Destinations", package: "xtcp"),
                .product(name: "IOUring", package: "xtcp"),
            ],
            path: "Benchmarks/PollBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
