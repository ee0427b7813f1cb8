import ArgumentParser
import ControlAPI
import Destinations
import Logging
import Netlink
import Platform
import XTCP

/// The command line: ArgumentParser reads the flags of `FlagTable` (the
/// declarations are generated into `XTCPFlags`), the library makes them an
/// `Invocation`, and this runs it.
struct XTCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xtcp",
        abstract: "Stream the kernel's TCP socket diagnostics (ss -tiem) as protobuf records.",
        discussion: """
            Poll this host:     xtcp -frequency 10s -netlinkers 4 -dest file:/var/tmp/xtcp.bin
            Try it:             xtcp -frequency 1s -maxLoops 3
            Replay a capture:   xtcp -replay dump.pcap -dest stdout -marshal jsonl
            Capture this host:  xtcp -capture dump.pcap
            Every flag can also come from the environment as XTCP_<FLAG> (XTCP_FREQUENCY=30s, \
            XTCP_DEST=...); a flag on the command line wins.
            To Kafka:           xtcp -dest kafka:broker1:9092,broker2:9092 -topic xtcp
            Exit codes: 0 success (also after SIGTERM, SIGINT, SIGQUIT), 1 runtime failure, 2 usage error, \
            3 destination unavailable at start (unreachable broker, unwritable file), \
            4 not privileged enough (run as root), 5 a -maxLoops or -replay run that lost data.
            """
    )

    @OptionGroup var flags: XTCPFlags

    func run() throws {
        let invocation = try Invocation(given: flags.given, environment: CommandLineFlags.processEnvironment())
        let config = invocation.config
        LogFormat.inEffect = config.logFormat
        for warning in invocation.warnings { LogFormat.say(warning, level: .warning) }
        switch invocation.mode {
        case .version:
            print(XTCPVersion.line)
        case .printConfiguration:
            config.lines.forEach { print(LineText.escaping($0)) }
        case .healthcheck:
            let answer = HealthCheck.ask(address: config.promListen ?? "127.0.0.1:9088")
            LogFormat.say(answer.line, level: answer.healthy ? .info : .error)
            if !answer.healthy { throw ExitCode(1) }
        case .capture(let path):
            let summary = try CaptureRunner.run(config: config, path: path)
            for problem in summary.problems { LogFormat.say("xtcp: capture: \(problem)", level: .warning) }
            LogFormat.say("xtcp: captured \(summary.counts.sockets) sockets to \(path) (\(summary.counts.dumps.decode.problems) problems)")
        case .replay(let path):
            try replay(path, config: config)
        case .poll:
            try Privileges.current().requireForPolling()
            LoggingSystem.bootstrap { StderrLogHandler(label: $0, level: config.logLevel, format: config.logFormat) }
            let daemon = Daemon(config: config, logger: Logger(label: "xtcp"),
                                sideServices: config.grpc.listen != nil ? [ControlServer.starter] : [])
            let signal = try daemon.run()
            if let lost = daemon.losses(endedBy: signal) { throw lost }
        }
    }

    private func replay(_ path: String, config: DaemonConfig) throws {
        // SIGTERM, SIGINT, SIGQUIT end the reading between reads: what was
        // read is delivered and said, as at the capture's end.
        RunSignals.block()
        // The capture is read before the destination opens: a file that
        // is no capture touches no output.
        var capture = try CaptureReader(path: path, stop: RunSignals.pendingStop)
        let destination = try config.openDestination()
        let runner = ReplayRunner(config: config)
        let summary = try runner.run(&capture, into: destination)
        try destination.close()
        let late = destination.takeLateCounts()
        let delivery = summary.counts.delivery
        let dropped = delivery.envelopesDropped + late.envelopesDropped
        if dropped > 0 {
            throw DataLost(description: "\(dropped) of \(delivery.envelopes) envelopes (\(delivery.rowsDropped + late.rowsDropped) rows) "
                + "not delivered to \(config.destination)" + (summary.problems.first.map { ": \($0)" } ?? ""))
        }
        LogFormat.say(runner.summaryLine(summary, path: path))
    }
}
