import ArgumentParser
import XTCP
#if canImport(Glibc)
import Glibc
#endif

// Exit codes: 0 success, 1 runtime failure (one line on stderr, no stack
// trace), 2 usage error (ArgumentParser's message and a hint).
let command: XTCPCommand
do {
    command = try XTCPCommand.parse(Array(CommandLine.arguments.dropFirst()))
    try command.validateMode()
} catch {
    if XTCPCommand.exitCode(for: error) == .success {
        XTCPCommand.exit(withError: error)  // -help, -version: printed to stdout, exit 0
    }
    printError(XTCPCommand.fullMessage(for: error))
    printError("Run `xtcp -help` for the flags.")
    exit(2)
}
do {
    try command.run()
} catch {
    printError("xtcp: \(error)")
    exit(1)
}
