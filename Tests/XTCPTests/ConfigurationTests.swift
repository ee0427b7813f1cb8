import Foundation
import Testing
import TestSupport
@testable import XTCP

/// The configuration as a library type: built in process from the flags
/// given, the environment and the defaults, from one table.
@Suite("Configuration: one flag table, validated in the library")
struct ConfigurationTests {
    func invocation(_ given: [String: [String]] = [:], environment: [String: String] = [:]) throws(UsageError) -> Invocation {
        try Invocation(given: given, environment: environment, hostname: "test-host")
    }

    @Test("the executable's ArgumentParser declarations are what the table generates now")
    func generatedFlagsAreFresh() throws {
        let committed = try String(contentsOfFile: Paths.packageRoot + "/" + CommandLineFlags.generatedPath, encoding: .utf8)
        #expect(committed == CommandLineFlags.argumentParserSource(), "\(CommandLineFlags.generatedPath) is stale: run `swift run xtcp-codegen`")
    }

    @Test("the man page is what the table generates now, names every flag and variable, and groff reads it without a warning")
    func manualPageIsFresh() throws {
        let committed = try String(contentsOfFile: Paths.packageRoot + "/" + ManualPage.path, encoding: .utf8)
        #expect(committed == ManualPage.roff(), "\(ManualPage.path) is stale: run `swift run xtcp-codegen`")
        let rendered = try Shell.capture(["env", "MANWIDTH=200", "man", "-l", Paths.packageRoot + "/" + ManualPage.path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        for flag in FlagTable.flags {
            #expect(rendered.stdout.contains(flag.isShortOnly ? "-\(flag.name)" : "-\(flag.name) ") || rendered.stdout.contains("-\(flag.name)\n"),
                    "-\(flag.name)")
            if flag.fromEnvironment { #expect(rendered.stdout.contains(flag.environmentName), "\(flag.environmentName)") }
        }
        let lint = try Shell.capture(["groff", "-man", "-ww", "-z", Paths.packageRoot + "/" + ManualPage.path])
        #expect(lint.status == 0 && lint.stderr.isEmpty, "\(lint.stderr)")
    }

    @Test("every flag's defaults are valid; -conf prints every configuration flag once, the listener, logging and profile ones too")
    func defaults() throws {
        let defaults = try invocation()
        #expect(defaults.mode == .poll && defaults.config.identity.hostname == "test-host")
        var expected = DaemonConfig(identity: RecordIdentity(hostname: "test-host"))
        expected.marshal = .jsonl  // to stdout, the default destination
        #expect(defaults.config == expected, "the table's defaults are DaemonConfig's")
        let names = defaults.config.lines.map { String($0.prefix { $0 != " " }) }
        let shown = FlagTable.flags.filter { $0.show != nil && $0.kind != .repeatable }.map(\.name)
        #expect(names == shown)
        for name in ["promListen", "promPath", "logLevel", "profile.mode", "profile.path"] {
            #expect(names.contains(name), "\(name) in -conf")
        }
        #expect(Set(FlagTable.flags.map(\.name)).count == FlagTable.flags.count, "a flag named twice")
    }

    @Test("XTCP_<FLAG> sets a flag not on the command line; the command line wins; a switch is on with 1, true or yes")
    func environment() throws {
        let fromEnvironment = try invocation(environment: ["XTCP_FREQUENCY": "30s", "XTCP_PROFILE_MODE": "cpu", "XTCP_CHANGESONLY": "yes"])
        #expect(fromEnvironment.config.frequency == .seconds(30) && fromEnvironment.config.profileWholeRun && fromEnvironment.config.changesOnly)
        let commandLineWins = try invocation(["frequency": ["5s"]], environment: ["XTCP_FREQUENCY": "30s"])
        #expect(commandLineWins.config.frequency == .seconds(5))
        #expect(try invocation(environment: ["XTCP_IOURING": "0"]).config.ioUring == false)
        #expect(FlagTable.named("profile.path")?.environmentName == "XTCP_PROFILE_PATH")
    }

    @Test("a wrong value names where it came from: the flag on the command line, the variable in the environment")
    func wrongValuesNameTheirSource() {
        #expect(throws: UsageError("-frequency 10x: unknown unit \"x\" (examples: 500ms, 10s, 1m, 1h30m)")) {
            try invocation(["frequency": ["10x"]])
        }
        #expect(throws: UsageError("XTCP_NETLINKERS=0: expected 1 to 64")) { try invocation(environment: ["XTCP_NETLINKERS": "0"]) }
        #expect(throws: UsageError("-changesRttPct -1: expected 0 to 1000")) { try invocation(["changesRttPct": ["-1"]]) }
        #expect(throws: UsageError("-timeout 20s is longer than -frequency 10s: polls would overlap")) { try invocation(["timeout": ["20s"]]) }
    }

    @Test("-replay takes the flags that shape records and refuses the rest; the environment's are left alone with a line")
    func replayRefusesWhatCannotApply() throws {
        let replay = try invocation(["replay": ["x.pcap"], "filter": ["sport = :22"], "states": ["established"], "dest": ["null"]])
        #expect(replay.mode == .replay(path: "x.pcap") && replay.config.filter != nil && replay.config.states != .all)
        #expect(throws: UsageError("-changesOnly does not apply to -replay")) { try invocation(["replay": ["x.pcap"], "changesOnly": []]) }
        #expect(throws: UsageError("-frequency does not apply to -replay")) { try invocation(["replay": ["x.pcap"], "frequency": ["1s"]]) }
        #expect(throws: UsageError("-dest does not apply to -capture")) { try invocation(["capture": ["x.pcap"], "dest": ["null"]]) }
        let withEnvironment = try invocation(["replay": ["x.pcap"]], environment: ["XTCP_FREQUENCY": "1s", "XTCP_DEST": "null"])
        #expect(withEnvironment.warnings == ["xtcp: XTCP_FREQUENCY does not apply to -replay: left alone"])
        #expect(withEnvironment.config.destination == .null)
    }

    @Test("derived defaults: -timeout is -frequency, -marshal jsonl only to stdout, 60000 bytes an envelope to udp")
    func derivedDefaults() throws {
        let config = try invocation(["frequency": ["3s"], "dest": ["udp:127.0.0.1:9"]]).config
        #expect(config.timeout == .seconds(3) && config.marshal == .protobufList && config.envelopeFlushBytes == 60_000)
        #expect(try invocation().config.marshal == .jsonl)
        #expect(throws: UsageError("-envelopeFlushBytes 70000: with -dest udp: or unixgram: at most 60387, so an envelope fits one datagram")) {
            try invocation(["dest": ["udp:127.0.0.1:9"], "envelopeFlushBytes": ["70000"]])
        }
    }

    @Test("single-dash words that are no flag are caught before parsing; values and negative numbers are not words")
    func unknownSingleDashFlags() {
        #expect(CommandLineFlags.unknownSingleDashFlag(in: ["-nosuchflag"]) == "-nosuchflag")
        #expect(CommandLineFlags.unknownSingleDashFlag(in: ["-filter", "-x", "-frequency", "1s", "-d", "-v"]) == nil)
        #expect(CommandLineFlags.unknownSingleDashFlag(in: ["-changesRttPct", "-1"]) == nil)
        #expect(CommandLineFlags.unknownSingleDashFlag(in: ["-dx"]) == "-dx")
    }
}
