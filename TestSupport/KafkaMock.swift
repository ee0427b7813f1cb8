import Foundation

/// `xtcp-kafka-mock` (librdkafka's mock cluster) running until `stop()`,
/// driven through its stdin.
public final class KafkaMock {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    public private(set) var bootstrap = ""
    private var pending = ""

    public init(brokers: Int = 1, topic: String, partitions: Int) throws {
        process.executableURL = URL(fileURLWithPath: Paths.kafkaMock)
        process.arguments = [String(brokers), topic, String(partitions)]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let first = try readLine()
        guard first.hasPrefix("bootstrap ") else {
            throw Shell.Failure(command: process.arguments ?? [], status: -1, stderr: "mock said \(first)")
        }
        bootstrap = String(first.dropFirst("bootstrap ".count))
    }

    /// Sends a command (`down 1`, `up 1`, `rtt 1 500`) and returns the answer.
    @discardableResult
    public func command(_ line: String) throws -> String {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        return try readLine()
    }

    private func readLine() throws -> String {
        while !pending.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Shell.Failure(command: process.arguments ?? [], status: -1, stderr: "mock ended") }
            pending += String(decoding: chunk, as: UTF8.self)
        }
        let line = String(pending[..<pending.firstIndex(of: "\n")!])
        pending = String(pending[pending.index(after: pending.firstIndex(of: "\n")!)...])
        return line
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
