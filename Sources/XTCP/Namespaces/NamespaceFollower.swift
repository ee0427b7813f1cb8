import Logging
import Platform

/// Keeps a poller set in step with the host's namespaces: a reconcile
/// before every poll (so a namespace made since the last poll is in this
/// one) and, between polls, when -netnsDirs changes (inotify) or every
/// -reconcileFrequency. Each change is one log line.
final class NamespaceFollower {
    let pollers: any PollerSet
    private let config: DaemonConfig
    private let scope: NamespaceScope
    private let discovery: NamespaceDiscovery
    private let watch: NamespaceWatch?
    private let logger: Logger
    private let clock = ContinuousClock()
    private var lastReconcile: ContinuousClock.Instant
    private var recheck = false
    private var warnedLimit = false

    init(pollers: any PollerSet, scope: NamespaceScope, config: DaemonConfig, logger: Logger) {
        self.pollers = pollers
        self.scope = scope
        self.config = config
        self.logger = logger
        discovery = NamespaceDiscovery(directories: config.netnsDirectories)
        watch = scope == .all ? NamespaceWatch(directories: config.netnsDirectories) : nil
        lastReconcile = clock.now
    }

    private var periodic: Bool { scope == .all && config.reconcileFrequency.nanoseconds > 0 }

    /// Whether `betweenPolls` has anything to do (the daemon then wakes
    /// every 100 ms between polls to call it).
    var followsBetweenPolls: Bool { watch != nil || periodic }

    @discardableResult
    func reconcile(when: String) -> NamespaceChange {
        lastReconcile = clock.now
        let change = pollers.reconcile(scope == .all ? discovery.scan() : [PolledNamespace.own()])
        if !change.removed.isEmpty {
            // What the released namespaces' pollers freed goes back to the
            // kernel now, not at some later heap top trim.
            Malloc.trim()
        }
        if !change.added.isEmpty || !change.removed.isEmpty {
            func names(_ list: [PolledNamespace]) -> String {
                list.isEmpty || list.count > 5 ? "" : " (" + list.map(\.name).joined(separator: ", ") + ")"
            }
            logger.info("""
                \(when): namespaces +\(change.added.count)\(names(change.added)) -\(change.removed.count)\(names(change.removed)), \
                \(pollers.count) polled
                """)
        }
        if change.overLimit > 0, !warnedLimit {
            logger.warning("\(when): \(change.overLimit) namespaces left out: -maxNamespaces \(config.maxNamespaces) reached")
            warnedLimit = true
        }
        return change
    }

    /// Called often between polls: reconciles when -reconcileFrequency is
    /// due or -netnsDirs changed. `ip netns add` creates the file, then
    /// bind-mounts it: the event may come before the mount, so a change is
    /// looked at again on the next call.
    func betweenPolls(when: String) {
        if periodic, clock.now - lastReconcile >= config.reconcileFrequency.duration {
            reconcile(when: when)
        } else if watch?.changed() == true {
            recheck = true
            reconcile(when: when)
        } else if recheck {
            recheck = false
            reconcile(when: when)
        }
    }
}
