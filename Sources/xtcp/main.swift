import ArgumentParser
import Foundation
import XTCP

// Exit codes: 0 success (also when SIGTERM/SIGINT ends polling), 1 runtime
// failure, 2 usage error. Either failure is one line on stderr, no trace.
let arguments = EnvironmentFlags.merged(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment)
let command: XTCPCommand
do {
    command = try XTCPCommand.parse(arguments)
    try command.validateMode()
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
} catch {
    printError("xtcp: \(error)")
    exit(1)
}
