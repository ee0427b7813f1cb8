import ArgumentParser
import Destinations
import Platform
import XTCP
#if canImport(Glibc)
import Glibc
#endif

// Exit codes: 0 success (also when SIGTERM/SIGINT/SIGQUIT ends polling), 1 runtime
// failure, 2 usage error, 3 destination unavailable at start, 4 not
// privileged enough, 5 a run that ended by itself (-maxLoops, -replay)
// and lost data. Every failure is one line on stderr, no trace.
StandardDescriptors.prepare()
let arguments = CommandLineFlags.attachingDashValues(Array(CommandLine.arguments.dropFirst()))
let command: XTCPCommand
do {
    if let unknown = CommandLineFlags.unknownSingleDashFlag(in: arguments) {
        throw ValidationError("unknown flag \(unknown)")
    }
    command = try XTCPCommand.parse(arguments)
} catch {
    if XTCPCommand.exitCode(for: error) == .success {
        XTCPCommand.exit(withError: error)  // -help: printed to stdout, exit 0
    }
    let message = XTCPCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    printError("xtcp: \(message) (xtcp -help lists the flags)")
    exit(2)
}
do {
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)  // said already (-healthcheck)
} catch let error as UsageError {
    LogFormat.say("xtcp: \(error) (xtcp -help lists the flags)", level: .error)
    exit(2)
} catch let error as KafkaConfigurationError {
    LogFormat.say("xtcp: \(error) (xtcp -help lists the flags)", level: .error)
    exit(2)
} catch let error as DestinationUnavailable {
    LogFormat.say("xtcp: \(error)", level: .error)
    exit(3)
} catch let error as InsufficientPrivilege {
    LogFormat.say("xtcp: \(error)", level: .error)
    exit(4)
} catch let error as DataLost {
    if !error.said { LogFormat.say("xtcp: data lost: \(error)", level: .error) }
    exit(5)
} catch {
    LogFormat.say("xtcp: \(error)", level: .error)
    exit(1)
}
