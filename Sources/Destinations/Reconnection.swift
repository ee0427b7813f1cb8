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

    init(name: String) { self.name = name }

    /// Whether a connect may be tried now.
    var isDue: Bool { ContinuousClock.now >= nextTry }

    mutating func connected() {
        if let down, everConnected { problems.append("\(name): connected again (was: \(down))") }
        down = nil
        everConnected = true
        backoff.reset()
    }

    mutating func connectFailed(_ why: String) {
        if down == nil { problems.append("\(name): connect: \(why); batches are dropped until it connects") }
        down = why
        nextTry = .now + backoff.next()
    }

    mutating func ended(_ why: String) {
        problems.append("\(name): the connection ended (\(why)); batches are dropped until it connects again")
        down = why
        nextTry = .now + backoff.next()
    }

    /// The drop of a batch while there is no connection.
    var notConnected: DestinationDrop {
        DestinationDrop(reason: .unreachable, detail: "\(name): not connected (\(down ?? "?")); next try in \((nextTry - .now).roundedMilliseconds) ms")
    }

    var unready: String? { everConnected ? nil : "\(name): never connected (\(down ?? "?"))" }

    mutating func takeProblems() -> [String] {
        defer { problems.removeAll() }
        return problems
    }
}
