import Foundation

/// A program running in the background whose stdout or stderr is read line
/// by line as it comes (the mock broker's answers, xtcp's per-poll lines).
public final class LineProcess {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var pending = ""
    /// Every line read so far.
    public private(set) var lines: [String] = []

    /// Starts `command`; `readsStderr` picks the stream read (the other goes
    /// to /dev/null).
    public init(_ command: [String], readsStderr: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = input
        if readsStderr {
            process.standardError = output
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = output
        }
        try process.run()
    }

    /// The next line; nil when the stream ended.
    public func nextLine() -> String? {
        while !pending.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                guard !pending.isEmpty else { return nil }
                defer { pending = "" }
                lines.append(pending)
                return pending
            }
            pending += String(decoding: chunk, as: UTF8.self)
        }
        let newline = pending.firstIndex(of: "\n")!
        let line = String(pending[..<newline])
        pending = String(pending[pending.index(after: newline)...])
        lines.append(line)
        return line
    }

    /// Reads lines until one satisfies `predicate`; nil if the stream ends first.
    @discardableResult
    public func waitForLine(where predicate: (String) -> Bool) -> String? {
        while let line = nextLine() {
            if predicate(line) { return line }
        }
        return nil
    }

    public func write(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes stdin, reads the rest and waits; returns the exit status.
    @discardableResult
    public func finish() -> Int32 {
        try? input.fileHandleForWriting.close()
        while nextLine() != nil {}
        process.waitUntilExit()
        return process.terminationStatus
    }

    public var processIdentifier: Int32 { process.processIdentifier }
}

extension LineProcess {
    /// Writes a command to a test peer that answers each with "ok" (the
    /// collectors of `Tests/Scripts`); the lines it printed before its "ok".
    @discardableResult
    public func command(_ line: String) -> [String] {
        write(line)
        var before: [String] = []
        waitForLine { line in
            if line != "ok" { before.append(line) }
            return line == "ok"
        }
        return before
    }
}
