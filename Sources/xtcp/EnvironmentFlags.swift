/// `XTCP_<FLAG>` environment variables as flags: each one whose flag is not
/// on the command line is added to it, so the command line wins and every
/// value goes through the same validation. `XTCP_FREQUENCY=30s` is
/// `-frequency 30s`; a switch (`XTCP_CONF`) is on when set to 1 or true.
enum EnvironmentFlags {
    /// Flags that take a value.
    static let options = [
        "frequency", "timeout", "pollJitterPct", "maxLoops", "netlinkers", "nltimeout", "packetSize",
        "deserializers", "marshal", "envelopeFlushRows", "envelopeFlushBytes", "dest",
        "hostname", "location", "label", "tag",
    ]
    /// Flags that take none.
    static let switches = ["conf"]

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
