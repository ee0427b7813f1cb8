import Benchmark
import XTCP

/// One reconcile's discovery: /run/netns, /run/docker/netns and every
/// /proc/PID/ns/net, deduplicated by inode. It runs before every poll, so it
/// must stay cheap next to a poll; the figure depends on the host's process
/// count (reported as "processes").
func registerNamespaceScanBenchmark() {
    let processes = BenchmarkMetric.custom("processes", polarity: .prefersLarger, useScalingFactor: false)
    var configuration = Benchmark.defaultConfiguration
    configuration.metrics = [.wallClock, .cpuTotal, .mallocCountTotal, processes]
    Benchmark("Namespace_scan", configuration: configuration) { benchmark in
        let discovery = NamespaceDiscovery()
        for _ in benchmark.scaledIterations {
            blackHole(discovery.scan())
        }
        benchmark.measurement(processes, NamespaceDiscovery.list("/proc").filter { Int($0) != nil }.count)
    }
}
