#if canImport(Glibc)
import Glibc
#endif

/// One line to stderr, written with write(2): no shared FILE* state.
public func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.utf8CString.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
}
