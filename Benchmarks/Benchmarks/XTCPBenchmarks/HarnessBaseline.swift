import Benchmark

/// An iteration that does nothing but what every benchmark here does around
/// its work (read the clock, start and stop the measurement, record a custom
/// metric). Its mallocs are the harness's own: subtract them from another
/// benchmark's to get the mallocs of the work.
func registerHarnessBaseline() {
    Benchmark(
        "Harness_baseline",
        configuration: .with(XTCPMetric.nsPerSocket)
    ) { benchmark in
        benchmark.measure(XTCPMetric.nsPerSocket) { 1 }
    }
}
