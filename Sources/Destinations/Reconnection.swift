import Platform

/// A connected destination's bookkeeping of its peer (tcp:, unix:,
/// valkey:): whether it is up, why not, when to try again (0.5 s doubling
/// to 3 s, jittered, so a peer down costs one attempt per backoff, not one
/// per batch) and the lines to say when it goes and comes back. Kept by
/// the destination under its own lock.
struct Reconnection {
    let name: String
    private var backoff = Backoff(first: .milliseconds(500), cap: .seconds(3))
    private var nextTry: ContinuousClock.Instant = .now
    /// Why the last connect failed or the connection ended; nil while up.
    private(set) var down: String?
    private(set) var everConnected = false
    private var problems: [String] = []
    private var connects = 0, connectFailures = 0, disconnects = 0

    init(name: String) { self.name = name }

    /// Whether a connect may be tried now.
    var isDue: Bool { ContinuousClock.now >= nextTry }

    mutating func connected() {
        if let down, everConnected { problems.append("\(name): connected again (was: \(down))") }
        down = nil
        everConnected = true
        backoff.reset()
        connects += 1
    }

    /// A request-per-batch peer (http, nats) answered: up, said so if it
    /// was down.
    mutating func answered() {
        if down != nil || !everConnected { connected() }
    }

    /// It did not answer: the connection ended if it was up, else the
    /// connect failed again.
    mutating func unanswered(_ why: String) {
        if down == nil && everConnected { ended(why) } else { connectFailed(why) }
    }

    mutating func connectFailed(_ why: String) {
        if down == nil { problems.append("\(name): connect: \(why); batches are dropped until it connects") }
        down = why
        nextTry = .now + backoff.next()
        connectFailures += 1
    }

    mutating func ended(_ why: String) {
        problems.append("\(name): the connection ended (\(why)); batches are dropped until it connects again")
        down = why
        nextTry = .now + backoff.next()
        disconnects += 1
    }

    /// `xtcp_destination_*{dest="SCHEME"}`: the label is the scheme (tcp,
    /// unix, valkey, redis), never the address, so it stays a bounded set.
    func metrics(scheme: String) -> [MetricFamily] {
        let label = [(name: "dest", value: scheme)]
        return [
            MetricFamily(name: "xtcp_destination_connected", kind: .gauge, help: "1 while the destination's connection is up.",
                         samples: [.init(labels: label, value: down == nil && everConnected ? 1 : 0)]),
            MetricFamily(name: "xtcp_destination_connects_total", kind: .counter, help: "Connections made to the destination's peer.",
                         samples: [.init(labels: label, value: Double(connects))]),
            MetricFamily(name: "xtcp_destination_connect_failures_total", kind: .counter, help: "Connects to the destination's peer that failed.",
                         samples: [.init(labels: label, value: Double(connectFailures))]),
            MetricFamily(name: "xtcp_destination_disconnects_total", kind: .counter, help: "Connections to the destination's peer that ended in use.",
                         samples: [.init(labels: label, value: Double(disconnects))]),
        ]
    }

    /// The drop of a batch while there is no connection.
    var notConnected: DestinationDrop {
        DestinationDrop(reason: .unreachable, detail: "\(name): not connected (\(down ?? "?")); next try in \((nextTry - .now).roundedMilliseconds) ms")
    }

    var unready: String? { everConnected ? nil : "\(name): never connected (\(down ?? "?"))" }

    /// How long a request may wait for its answer: until the poll's
    /// deadline, at most `patience`, at least 1 ms.
    static func wait(until deadline: ContinuousClock.Instant?, atMost patience: Duration) -> Duration {
        max(.milliseconds(1), min(patience, deadline.map { $0 - .now } ?? patience))
    }

    mutating func takeProblems() -> [String] {
        defer { problems.removeAll() }
        return problems
    }
}
