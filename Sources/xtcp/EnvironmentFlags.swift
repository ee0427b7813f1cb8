#if canImport(Glibc)
import Glibc
#endif

/// `XTCP_<FLAG>` environment variables as flags: each one whose flag is not
/// on the command line is added to it, so the command line wins and every
/// value goes through the same validation. `XTCP_FREQUENCY=30s` is
/// `-frequency 30s`; a switch (`XTCP_CONF`) is on when set to 1 or true.
enum EnvironmentFlags {
    /// Flags that take a value.
    static let options = [
        "frequency", "timeout", "pollJitterPct", "maxLoops", "netlinkers", "cpus", "ioUringRecvBatch", "ioUringCqeBatch", "ioUringMultishot", "ioUringFallback", "namespaces", "netnsDirs", "reconcileFrequency", "maxNamespaces", "promListen", "promPath", "logLevel", "nltimeout", "packetSize",
        "deserializers", "filter", "states", "fullEvery", "changesRttPct", "closeEventsBuffer", "marshal", "envelopeFlushRows", "envelopeFlushBytes", "dest",
        "hostname", "location", "label", "tag", "topic", "kafkaCompression", "kafkaQueueKBytes",
        "kafkaMessageTimeout", "kafkaQueueFullWait", "kafkaFlushTimeout", "kafkaStartTimeout",
    ]
    /// Flags that take none.
    static let switches = ["conf", "ioUring", "changesOnly", "closeEvents"]
    /// Flags not taken from the environment: a mode, or repeatable.
    static let commandLineOnly = ["replay", "capture", "kafkaProperty", "version", "help", "healthcheck", "profile.mode", "profile.path"]

    /// The first argument that looks like a single-dash flag xtcp does not
    /// have. ArgumentParser would read `-nosuchflag` as the short flags
    /// `-n -o -s …`, and its `h` as -help: checked before parsing.
    static func unknownSingleDashFlag(in arguments: [String]) -> String? {
        let known = Set(options + switches + commandLineOnly)
        var expectsValue = false
        for argument in arguments {
            defer { expectsValue = false }
            if expectsValue || !argument.hasPrefix("-") || argument.hasPrefix("--") || argument.count <= 2 { continue }
            let name = String(argument.dropFirst().prefix { $0 != "=" })
            if Double(name) != nil { continue }  // a negative number
            guard known.contains(name) else { return argument }
            expectsValue = !argument.contains("=") && !switches.contains(name) && !["version", "help"].contains(name)
        }
        return nil
    }

    /// The process's environment, read from `environ` (Foundation's
    /// ProcessInfo would cost the daemon ~8 MB of resident ICU data).
    static func processEnvironment() -> [String: String] {
        var out: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                out[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return out
    }

    static func variable(for flag: String) -> String { "XTCP_" + flag.uppercased() }

    static func merged(arguments: [String], environment: [String: String]) -> [String] {
        let given = Set(arguments.compactMap { argument -> String? in
            guard argument.hasPrefix("-") else { return nil }
            let name = argument.drop { $0 == "-" }.prefix { $0 != "=" }
            return String(name)
        })
        var out = arguments
        for flag in options where !given.contains(flag) {
            if let value = environment[variable(for: flag)] { out += ["-" + flag, value] }
        }
        for flag in switches where !given.contains(flag) {
            if let value = environment[variable(for: flag)], ["1", "true", "yes"].contains(value.lowercased()) {
                out.append("-" + flag)
            }
        }
        return out
    }
}
