import Foundation

/// Checks `condition` every 100 ms until it holds, at most `seconds`: for
/// a peer that acts at its own pace (lldpd sending every second, an event
/// stream), never a timing assertion. Whether it came to hold.
public func eventually(within seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    for _ in 0..<Int(seconds * 10) {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return condition()
}

/// How long after `start` `condition` came to hold, checked every
/// `interval` seconds for at most `seconds`; nil if it did not: a peer
/// back from an outage, and how soon xtcp reached it again.
public func secondsUntil(since start: Date, within seconds: Double = 15, every interval: Double = 0.1,
                         _ condition: () throws -> Bool) rethrows -> TimeInterval? {
    while Date().timeIntervalSince(start) < seconds {
        if try condition() { return Date().timeIntervalSince(start) }
        Thread.sleep(forTimeInterval: interval)
    }
    return nil
}
