import Foundation
import Testing
import TestSupport
@testable import XTCP

/// Variables xtcp will not read are said, one line each, by name, never
/// by value; and a wrong value says where it came from.
@Suite("The environment: typos, xtcp2's names, bad switches and negative values are said")
struct EnvironmentWarningTests {
    func warnings(_ environment: [String: String], given: [String: [String]] = [:]) throws -> [String] {
        try Invocation(given: given, environment: environment, hostname: "test-host").warnings
    }

    @Test("an XTCP_* typo: one line naming it and the nearest variable; its value (it may be a secret) never said")
    func typos() throws {
        #expect(try warnings(["XTCP_FREQENCY": "hunter2"])
            == ["xtcp: XTCP_FREQENCY is not a variable xtcp reads (did you mean XTCP_FREQUENCY?): left alone"])
        #expect(try warnings(["XTCP_NO_SUCH_THING_AT_ALL": "1"])
            == ["xtcp: XTCP_NO_SUCH_THING_AT_ALL is not a variable xtcp reads (xtcp -help lists the flags; each is XTCP_<FLAG>): left alone"])
        #expect(try warnings(["XTCP_KAFKAPROPERTY": "sasl.password=hunter2"])
            == ["xtcp: XTCP_KAFKAPROPERTY: -kafkaProperty is not taken from the environment (put the properties in a file, XTCP_KAFKAPROPERTYFILE): left alone"])
        #expect(try warnings(["XTCP_FREQUENCY": "30s", "PATH": "/bin", "HOSTNAME": "h", "GOMAXPROCS": "4"]) == [], "ours and others' are not warned of")
    }

    @Test("xtcp2's unprefixed variables: one line each, with xtcp's variable, or saying xtcp has no such setting")
    func xtcp2Variables() throws {
        #expect(try warnings(["DEST": "kafka:redpanda-0:9092", "POLL_FREQUENCY": "5s", "FREQUENCY": "5s", "XTCP_PROTO_FILE": "/x.proto", "S3_SECRET_KEY": "hunter2"]) == [
            "xtcp: DEST is xtcp2's variable for -dest; xtcp reads XTCP_DEST: left alone",
            "xtcp: FREQUENCY is xtcp2's variable for -frequency; xtcp reads XTCP_FREQUENCY: left alone",
            "xtcp: POLL_FREQUENCY is xtcp2's variable for -frequency; xtcp reads XTCP_FREQUENCY: left alone",
            "xtcp: S3_SECRET_KEY is xtcp2's variable for -s3SecretKey; xtcp reads XTCP_S3SECRETKEYFILE: left alone",
            "xtcp: XTCP_PROTO_FILE is xtcp2's variable for -xtcpProtoFile; xtcp has no such setting: left alone",
        ])
        // What they would have set is not set.
        #expect(try Invocation(given: [:], environment: ["DEST": "null"], hostname: "h").config.destination == .stdout)
    }

    @Test("a switch that is neither on nor off: one line, left alone; 0, false, no are off without a word")
    func badSwitches() throws {
        #expect(try warnings(["XTCP_CONF": "on"]) == ["xtcp: XTCP_CONF=on: a switch is 1, true or yes (on) or 0, false or no (off): left alone"])
        #expect(try Invocation(given: [:], environment: ["XTCP_CONF": "on"], hostname: "h").mode == .poll)
        #expect(try warnings(["XTCP_CHANGESONLY": "no", "XTCP_IOURING": "0"]) == [])
    }

    @Test("an error spanning two values names each as it was given: variables, flags")
    func crossChecksNameTheirSource() {
        #expect(throws: UsageError("XTCP_TIMEOUT=20s is longer than XTCP_FREQUENCY=10s: polls would overlap")) {
            try Invocation(given: [:], environment: ["XTCP_TIMEOUT": "20s", "XTCP_FREQUENCY": "10s"], hostname: "h")
        }
        #expect(throws: UsageError("XTCP_TIMEOUT=20s is longer than -frequency 5s: polls would overlap")) {
            try Invocation(given: ["frequency": ["5s"]], environment: ["XTCP_TIMEOUT": "20s"], hostname: "h")
        }
    }

    @Test("live: each warning one line at start, before the run; a negative value is what is wrong, not a missing one")
    func live() throws {
        let result = try Shell.capture(["env", "XTCP_FREQENCY=1s", "DEST=null", "XTCP_CONF=on", Paths.xtcp, "-namespaces", "own", "-maxLoops", "1",
                                        "-promListen", "off", "-dest", "null"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == [
            "xtcp: DEST is xtcp2's variable for -dest; xtcp reads XTCP_DEST: left alone",
            "xtcp: XTCP_FREQENCY is not a variable xtcp reads (did you mean XTCP_FREQUENCY?): left alone",
            "xtcp: XTCP_CONF=on: a switch is 1, true or yes (on) or 0, false or no (off): left alone",
        ], "\(lines)")
        for (flag, value) in [("-frequency", "-1s"), ("-netlinkers", "-4"), ("--timeout", "-2s")] {
            let negative = try Shell.capture([Paths.xtcp, flag, value], timeout: 30)
            #expect(negative.status == 2 && negative.stderr.contains("\(flag.drop { $0 == "-" }) \(value)") && !negative.stderr.contains("Missing value"),
                    "\(flag) \(value): \(negative.stderr)")
        }
    }
}

extension EnvironmentWarningTests {
    @Test("the README's table of xtcp2's names is XTCP2Names's as it is now, and names only flags xtcp has")
    func readmeTable() throws {
        let readme = try String(contentsOfFile: Paths.packageRoot + "/README.md", encoding: .utf8)
        #expect(XTCP2Names.embed(in: readme) == readme, "README.md's xtcp2 table is stale: run `swift run xtcp-codegen`")
        for entry in XTCP2Names.entries {
            if let ours = entry.ours { #expect(FlagTable.named(ours) != nil, "-\(ours) is not one of xtcp's flags") }
        }
    }
}
