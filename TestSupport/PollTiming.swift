import Foundation

/// When xtcp's polls run, from its own lines: with `-pollJitterPct 0` a
/// poll starts every `period` after the first, and its line ends with it.
public enum PollTiming {
    /// Called as poll N's line (`poll N: T ms …`) arrives: sleeps until
    /// `fraction` of the way into poll N+1, taken to last as long as poll N.
    public static func sleepIntoNextPoll(after line: String, period: Double, fraction: Double = 1.0 / 3) {
        let took = (Double(line.split(separator: " ")[2]) ?? 0) / 1000
        Thread.sleep(forTimeInterval: max(0, period - took) + took * fraction)
    }

    /// The `T` of a poll line, in milliseconds.
    public static func milliseconds(of line: String) -> Int { Int(line.split(separator: " ")[2]) ?? 0 }
}
