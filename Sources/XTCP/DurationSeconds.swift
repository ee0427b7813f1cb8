extension Duration {
    /// The duration in seconds, as Prometheus and the log lines show it.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
