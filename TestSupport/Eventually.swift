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
