/// A poller set with `-closeEvents`: every reconcile also moves the close
/// event subscriptions, and every poll's counts take in the close events
/// heard since the last one.
final class ClosingPollerSet: PollerSet {
    let inner: any PollerSet
    let listener: CloseEventListener

    init(_ inner: any PollerSet, listener: CloseEventListener) {
        self.inner = inner
        self.listener = listener
    }

    var count: Int { inner.count }

    func reconcile(_ found: [PolledNamespace]) -> NamespaceChange {
        var change = inner.reconcile(found)
        change.failed += listener.update(change)
        return change
    }

    func poll(_ ticket: PollTicket) -> (counts: PollCounts, problems: [String]) {
        var (counts, problems) = inner.poll(ticket)
        let heard = listener.take()
        counts += heard.counts
        problems += heard.problems
        return (counts, problems)
    }

    /// Stops the pollers, then the listener, which reads what the kernel
    /// still holds and flushes it (before the destination closes).
    func stopAll() {
        inner.stopAll()
        listener.stop()
    }

    /// The close events heard since the last poll (for the shutdown's totals).
    func takeLate() -> (counts: PollCounts, problems: [String]) { listener.take() }
}
