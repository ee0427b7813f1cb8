import Foundation

/// Runs helper programs for tests (ip, ss, python3).
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        public var command: [String]
        public var status: Int32
        public var stderr: String
        public var description: String { "\(command.joined(separator: " ")) exited \(status): \(stderr)" }
        public init(command: [String], status: Int32, stderr: String) {
            self.command = command
            self.status = status
            self.stderr = stderr
        }
    }

    /// Runs `command` to completion; returns its exit status, stdout and
    /// stderr, whatever the status. Past `timeout` seconds it is killed
    /// (status 137), so that a command that would hang fails its test
    /// rather than the suite.
    public static func capture(_ command: [String], timeout: Double? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        // stderr goes to a file, so that neither stream can fill a pipe
        // while the other is read.
        let errPath = NSTemporaryDirectory() + "xtcp-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errFile
        try process.run()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak process] in
                if process?.isRunning == true { kill(pid, SIGKILL) }
            }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errFile.close()
        let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), stderr)
    }

    /// Runs `command` to completion; returns stdout; throws on a non-zero exit.
    @discardableResult
    public static func run(_ command: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: command, status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

/// A network namespace made for one test with `ip netns add`, loopback up;
/// deleted by `remove()` (call it in a defer).
public final class TestNamespace {
    public let name: String

    public init(prefix: String = "xtcp-test") throws {
        name = "\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Shell.run(["ip", "netns", "add", name])
        try Shell.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
    }

    /// `command` run inside the namespace.
    public func exec(_ command: [String]) -> [String] { ["ip", "netns", "exec", name] + command }

    /// `command` in the namespace's network only: `ip netns exec` also
    /// mounts a /sys of the namespace's, without the cgroup tree ClickHouse
    /// (chdb) reads at start.
    public func execNetworkOnly(_ command: [String]) -> [String] { ["nsenter", "--net=/run/netns/\(name)"] + command }

    public func remove() { _ = try? Shell.run(["ip", "netns", "del", name]) }
}

/// A socket farm script of `Tests/Scripts/` running in a namespace until
/// `stop()`: it prints "ready" when every socket is open.
public final class SocketFarm {
    let process = Process()
    let input = Pipe()
    let output = Pipe()

    /// `socket_farm.py`: listeners, bbr/cubic/reno pairs, Recv-Q, half-closed pairs.
    public convenience init(in namespace: TestNamespace, pairsPerKind: Int) throws {
        try self.init(in: namespace, script: "socket_farm.py", arguments: [String(pairsPerKind)])
    }

    public convenience init(in namespace: TestNamespace, script: String, arguments: [String]) throws {
        try self.init(command: namespace.exec(["python3", Paths.packageRoot + "/Tests/Scripts/" + script] + arguments))
    }

    /// Any command that prints "ready" when its sockets are open and holds
    /// them until stdin closes (`unshare --net … farm.py`).
    public init(command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = input
        process.standardOutput = output
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Wait for "ready": every socket is open and in its state.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ready") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                // Its last words say why (a port taken, an address missing).
                let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw Shell.Failure(command: process.arguments ?? [], status: -1,
                                    stderr: "socket farm ended before ready: \(said.split(separator: "\n").suffix(3).joined(separator: " | "))")
            }
            seen += chunk
        }
    }

    /// Sends `line` to a farm that takes commands on stdin and returns the
    /// line it answers (nil if it ended).
    public func ask(_ line: String) -> String? {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        var answer = Data()
        // The newline after "ready" may come in a read of its own: an
        // answer is never empty, so leading newlines are skipped.
        while answer.drop(while: { $0 == UInt8(ascii: "\n") }).firstIndex(of: UInt8(ascii: "\n")) == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            answer += chunk
        }
        return String(decoding: answer.drop(while: { $0 == UInt8(ascii: "\n") }).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }

    /// The farm's process (env, `ip netns exec` and `unshare` exec in place).
    public var processIdentifier: Int32 { process.processIdentifier }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
