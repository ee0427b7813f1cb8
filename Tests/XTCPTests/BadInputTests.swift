import Testing
import TestSupport

/// Each way of starting xtcp wrong ends in one line on stderr, no trace,
/// and the documented exit code (README, "Exit codes").
@Suite("Bad input: one clear line and a documented exit code")
struct BadInputTests {
    static func run(_ arguments: [String], as prefix: [String] = []) throws -> (status: Int32, lines: [Substring]) {
        let result = try Shell.capture(prefix + [Paths.xtcp] + arguments)
        return (result.status, result.stderr.split(separator: "\n"))
    }

    @Test("usage errors exit 2", arguments: [
        (["-frequency", "10x"], "-frequency"),
        (["-netlinkers", "0"], "-netlinkers"),
        (["-nosuchflag"], "nosuchflag"),
        (["-dest", "kafka:"], "kafka: needs brokers"),
        (["-dest", "kafka:host"], "no :PORT"),
        (["-dest", "udp:127.0.0.1:99999"], "port"),
        (["-dest", "udp:127.0.0.1:9", "-envelopeFlushBytes", "70000"], "one datagram"),
        (["-kafkaCompression", "gzip9"], "-kafkaCompression"),
        (["-topic", "no spaces"], "-topic"),
        (["-dest", "kafka:127.0.0.1:1", "-kafkaProperty", "no.such.property=1"], "no.such.property"),
    ])
    func usage(arguments: [String], mentions: String) throws {
        let (status, lines) = try Self.run(arguments)
        #expect(status == 2)
        #expect(lines.count == 1, "one line: \(lines)")
        #expect(lines.first?.hasPrefix("xtcp: ") == true && lines.first?.contains(mentions) == true, "\(lines)")
    }

    @Test("an unreachable broker exits 3")
    func unreachableBroker() throws {
        let (status, lines) = try Self.run(["-dest", "kafka:127.0.0.1:1", "-kafkaStartTimeout", "1s", "-maxLoops", "1"])
        #expect(status == 3)
        #expect(lines == ["xtcp: cannot reach a Kafka broker at 127.0.0.1:1 within 1s: Local: Broker transport failure"])
    }

    @Test("a file destination that cannot be opened exits 3")
    func unwritableFile() throws {
        let (status, lines) = try Self.run(["-dest", "file:/proc/xtcp-no-such-dir/out.bin", "-maxLoops", "1"])
        #expect(status == 3)
        #expect(lines == ["xtcp: cannot open -dest file:/proc/xtcp-no-such-dir/out.bin: No such file or directory"])
    }

    @Test("polling without root exits 4")
    func withoutRoot() throws {
        let nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        let (status, lines) = try Self.run(["-dest", "null", "-maxLoops", "1"], as: nobody)
        #expect(status == 4)
        #expect(lines.count == 1 && lines[0].contains("CAP_NET_ADMIN") && lines[0].contains("run xtcp as root"), "\(lines)")
        // Replaying a capture needs no privilege.
        let replay = try Shell.capture(nobody + [Paths.xtcp, "-version"])
        #expect(replay.status == 0)
    }
}
