import Foundation

/// `xtcp-kafka-mock` (librdkafka's mock cluster) running until `stop()`,
/// driven through its stdin.
public final class KafkaMock {
    let mock: LineProcess
    public let bootstrap: String

    /// Starts the mock, in `namespace` if one is given.
    public init(brokers: Int = 1, topic: String, partitions: Int, in namespace: TestNamespace? = nil) throws {
        let command = [Paths.kafkaMock, String(brokers), topic, String(partitions)]
        mock = try LineProcess(namespace?.exec(command) ?? command)
        let first = mock.nextLine() ?? "nothing"
        guard first.hasPrefix("bootstrap ") else {
            throw Shell.Failure(command: command, status: -1, stderr: "mock said \(first)")
        }
        bootstrap = String(first.dropFirst("bootstrap ".count))
    }

    /// The first broker's port.
    public var port: Int { Int(bootstrap.split(separator: ",")[0].split(separator: ":").last!)! }

    /// Sends a command (`down 1`, `up 1`, `rtt 1 500`) and returns the answer.
    @discardableResult
    public func command(_ line: String) throws -> String {
        mock.write(line)
        guard let answer = mock.nextLine() else { throw Shell.Failure(command: [line], status: -1, stderr: "mock ended") }
        return answer
    }

    public func stop() { mock.finish() }
}
