import Destinations
import Logging
import RecordFmt

/// One of xtcp's flags, as `FlagTable` lists it: its name (taken with one
/// dash or two), what it takes, its help, its default, whether the
/// environment may give it (`XTCP_<NAME>`), in which runs it means
/// something, how a value sets the configuration, and how `-conf` prints
/// it. Everything else (the command line's options, the environment's
/// names, `-conf`, the refusal of a flag that does not apply) is derived
/// from the table.
public struct FlagDefinition: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Takes a value: `-frequency 10s`.
        case value
        /// Takes none: `-changesOnly`; `XTCP_CHANGESONLY=1` (or true, yes).
        case toggle
        /// Takes a value and may be given many times: `-kafkaProperty`.
        case repeatable
    }

    /// The runs a flag means something in.
    public struct Runs: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let poll = Runs(rawValue: 1)
        public static let replay = Runs(rawValue: 2)
        public static let capture = Runs(rawValue: 4)
        public static let all: Runs = [.poll, .replay, .capture]
    }

    public let name: String
    public let kind: Kind
    /// A one-letter form (`-d`, `-v`), beside the long one (or instead, for `d`).
    public let short: Character?
    public let help: String
    /// What it is when not given, as text parsed like a given value; nil
    /// when there is none, or it is derived from other flags (`-timeout`:
    /// `-frequency`).
    public let defaultText: String?
    /// Whether `XTCP_<NAME>` may give it.
    public let fromEnvironment: Bool
    public let runs: Runs
    let apply: @Sendable (inout ConfigurationDraft, FlagValue) throws(UsageError) -> Void
    /// Its value in `-conf`'s output (one line each); nil for flags that
    /// are not configuration (modes, `-d`).
    let show: (@Sendable (DaemonConfig) -> [String])?

    init(_ name: String, _ kind: Kind = .value, short: Character? = nil, default defaultText: String? = nil, environment: Bool = true,
         runs: Runs = .poll, help: String, show: (@Sendable (DaemonConfig) -> [String])? = nil,
         apply: @escaping @Sendable (inout ConfigurationDraft, FlagValue) throws(UsageError) -> Void) {
        self.name = name
        self.kind = kind
        self.short = short
        self.defaultText = defaultText
        self.fromEnvironment = environment
        self.runs = runs
        self.help = help
        self.show = show
        self.apply = apply
    }

    /// `XTCP_FREQUENCY`, `XTCP_PROFILE_MODE`.
    public var environmentName: String { "XTCP_" + String(name.uppercased().map { $0 == "." ? "_" : $0 }) }

    /// Only the short form exists (`-d`).
    public var isShortOnly: Bool { short != nil && name.count == 1 }

    /// The help as `-help` shows it: with the default, when there is one.
    public var helpWithDefault: String {
        guard let defaultText, kind == .value else { return help }
        return help + " (default: \(defaultText.isEmpty ? "none" : defaultText))"
    }
}

/// A flag's value and where it came from, for what it sets and for the
/// message when it is wrong: `-frequency 10x` or `XTCP_FREQUENCY=10x`.
public struct FlagValue: Sendable {
    public enum Source: Sendable, Equatable { case commandLine, environment, defaultValue }
    public var text: String
    public var flag: String
    public var source: Source
    var environmentName: String

    /// How the value reads in a message.
    public var display: String {
        switch source {
        case .environment: return "\(environmentName)=\(text)"
        case .commandLine, .defaultValue:
            return text.contains(" ") || text.isEmpty ? "-\(flag) '\(text)'" : "-\(flag) \(text)"
        }
    }

    func fail(_ why: String) -> UsageError { UsageError("\(display): \(why)") }

    /// A whole number in `range` (`unit` said in the message).
    func int(_ range: ClosedRange<Int>, unit: String = "") throws(UsageError) -> Int {
        guard let value = Int(text) else { throw fail("expected a whole number") }
        guard range.contains(value) else {
            throw fail("expected \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " \(unit)")")
        }
        return value
    }

    /// A Go duration (`500ms`, `10s`, `1m30s`).
    func duration() throws(UsageError) -> GoDuration {
        do { return try GoDuration(parsing: text) } catch { throw UsageError("\(display): \(error.reason) (examples: 500ms, 10s, 1m, 1h30m)") }
    }

    func bool() throws(UsageError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw fail("expected true or false")
        }
    }
}

/// A wrong flag, value or variable: one line, exit 2.
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The configuration while flags are applied: the daemon's, and what is
/// decided only once every flag is in (defaults derived from others, the
/// run's mode).
public struct ConfigurationDraft: Sendable {
    public var config: DaemonConfig
    var timeout: GoDuration?
    var marshal: MarshalFormat?
    var envelopeFlushBytes: (value: Int, display: String)?
    var hostname: String?
    var replay: String?
    var capture: String?
    var conf = false
    var healthcheck = false
    var version = false
    var debug = false
    var values: [String: FlagValue] = [:]
}
