import Platform

/// The warnings a start owes for variables xtcp will not read: an
/// `XTCP_*` name no flag has (a typo: the nearest name is offered), a flag
/// that is not taken from the environment, xtcp2's variables (xtcp's
/// names are `XTCP_<FLAG>`). One line each, naming the variable, never its
/// value (it may be a secret); each is left alone.
enum EnvironmentCheck {
    static func warnings(_ environment: [String: String]) -> [String] {
        let ours = Dictionary(FlagTable.flags.map { ($0.environmentName, $0) }, uniquingKeysWith: { first, _ in first })
        var out: [String] = []
        for name in environment.keys.sorted() {
            if let flag = ours[name] {
                if !flag.fromEnvironment {
                    out.append("xtcp: \(name): -\(flag.name) is not taken from the environment\(Self.instead(flag.name)): left alone")
                }
            } else if let entry = XTCP2Names.byVariable[name] {
                let equivalent = entry.ours.flatMap { FlagTable.named($0) }
                out.append("xtcp: \(name) is xtcp2's variable for -\(entry.flag); "
                    + (equivalent.map { $0.fromEnvironment ? "xtcp reads \($0.environmentName)" : "xtcp's -\($0.name) is not taken from the environment" }
                        ?? "xtcp has no such setting") + ": left alone")
            } else if name.hasPrefix("XTCP_") {
                let nearest = NearestName.to(name, among: ours.values.filter(\.fromEnvironment).map(\.environmentName))
                out.append("xtcp: \(name) is not a variable xtcp reads (\(nearest.map { "did you mean \($0)?" } ?? "xtcp -help lists the flags; each is XTCP_<FLAG>")): left alone")
            }
        }
        return out
    }

    /// What to use instead of a flag the environment does not give.
    private static func instead(_ flag: String) -> String {
        switch flag {
        case "kafkaProperty": " (put the properties in a file, XTCP_KAFKAPROPERTYFILE)"
        default: " (give it on the command line)"
        }
    }

    /// A switch's value: on, off, or neither (nil).
    static func switchValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no", "": false
        default: nil
        }
    }
}
