#if canImport(Glibc)
import Glibc
#endif

/// What the executable needs of the flag table before and around its
/// parser: the check for single-dash words that are not flags, the
/// process's environment, and the parser's own declarations (generated).
public enum CommandLineFlags {
    /// The first argument that looks like a single-dash flag xtcp does not
    /// have. ArgumentParser would read `-nosuchflag` as the short flags
    /// `-n -o -s …`, and its `h` as -help: checked before parsing.
    public static func unknownSingleDashFlag(in arguments: [String]) -> String? {
        var expectsValue = false
        for argument in arguments {
            defer { expectsValue = false }
            if expectsValue || !argument.hasPrefix("-") || argument.hasPrefix("--") || argument.count <= 2 { continue }
            let name = String(argument.dropFirst().prefix { $0 != "=" })
            if Double(name) != nil { continue }  // a negative number
            if name == "help" { continue }
            guard let flag = FlagTable.named(name), !flag.isShortOnly else { return argument }
            expectsValue = !argument.contains("=") && flag.kind != .toggle
        }
        return nil
    }

    /// The arguments with each value that begins with a dash joined to its
    /// flag (`-frequency -1s` → `-frequency=-1s`): ArgumentParser would
    /// take `-1s` for a flag and say the value is missing, where the value
    /// is what is wrong. A dash word that is one of xtcp's flags is left
    /// as it is (`-topic -frequency 1s` still lacks a topic).
    public static func attachingDashValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), !argument.contains("="), index < arguments.count else {
                out.append(argument)
                continue
            }
            let name = String(argument.drop { $0 == "-" })
            let next = arguments[index]
            guard let flag = FlagTable.named(name), flag.kind != .toggle, next.hasPrefix("-"), !Self.isFlag(next) else {
                out.append(argument)
                continue
            }
            out.append(argument + "=" + next)
            index += 1
        }
        return out
    }

    private static func isFlag(_ word: String) -> Bool {
        let name = String(word.drop { $0 == "-" }.prefix { $0 != "=" })
        return FlagTable.named(name) != nil || ["h", "help"].contains(name) || FlagTable.flags.contains { $0.short.map(String.init) == name }
    }

    /// The process's environment, read from `environ` (Foundation's
    /// ProcessInfo would cost the daemon ~8 MB of resident ICU data).
    public static func processEnvironment() -> [String: String] {
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

    /// Where the executable's generated flag declarations live.
    public static let generatedPath = "Sources/xtcp/Generated/XTCPFlags.swift"

    /// The executable's ArgumentParser declarations, one per flag of the
    /// table, and the map of what was given: `swift run xtcp-codegen`
    /// writes it to `generatedPath`, a test checks it is current.
    public static func argumentParserSource() -> String {
        var declarations: [String] = []
        var collect: [String] = []
        for flag in FlagTable.flags {
            let property = propertyName(flag.name)
            let help = "FlagTable.named(\"\(flag.name)\")!.helpWithDefault"
            var names: [String] = []
            if let short = flag.short { names.append(".customShort(\"\(short)\")") }
            if !flag.isShortOnly { names += [".customLong(\"\(flag.name)\", withSingleDash: true)", ".customLong(\"\(flag.name)\")"] }
            let nameList = "[\(names.joined(separator: ", "))]"
            switch flag.kind {
            case .toggle:
                declarations.append("    @Flag(name: \(nameList), help: ArgumentHelp(\(help)))\n    var \(property) = false")
                collect.append("        if \(property) { given[\"\(flag.name)\"] = [] }")
            case .value:
                declarations.append("    @Option(name: \(nameList), parsing: .unconditional, help: ArgumentHelp(\(help), valueName: \"\(flag.name)\"))\n    var \(property): String?")
                collect.append("        if let \(property) { given[\"\(flag.name)\"] = [\(property)] }")
            case .repeatable:
                declarations.append("    @Option(name: \(nameList), parsing: .unconditionalSingleValue, help: ArgumentHelp(\(help), valueName: \"\(flag.name)\"))\n    var \(property): [String] = []")
                collect.append("        if !\(property).isEmpty { given[\"\(flag.name)\"] = \(property) }")
            }
        }
        return """
            // Generated from XTCP's FlagTable by `swift run xtcp-codegen`: do not edit.
            import ArgumentParser
            import XTCP

            /// xtcp's flags, as ArgumentParser reads them: each as text (the
            /// library validates it, naming the flag or the variable), taken
            /// with one dash or two.
            struct XTCPFlags: ParsableArguments {
            \(declarations.joined(separator: "\n\n"))

                /// The flags given on the command line, by name, with their values.
                var given: [String: [String]] {
                    var given: [String: [String]] = [:]
            \(collect.joined(separator: "\n"))
                    return given
                }
            }

            """
    }

    /// `profile.mode` → `profileMode`.
    static func propertyName(_ flag: String) -> String {
        let parts = flag.split(separator: ".")
        return parts.enumerated().map { index, part in index == 0 ? String(part) : part.prefix(1).uppercased() + part.dropFirst() }.joined()
    }
}
