#if canImport(Glibc)
import Glibc
#endif

/// One line to stderr, written whole with one write(2): no shared FILE*
/// state, so lines from several threads never interleave.
public func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.utf8CString.withUnsafeBytes { bytes in
        // A stderr that is gone has nobody to tell.
        _ = try? Syscall.write(descriptor: STDERR_FILENO, bytes: UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
    }
}
