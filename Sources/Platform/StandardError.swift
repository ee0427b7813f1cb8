#if canImport(Glibc)
import Glibc
#endif

/// One line to stderr, written whole with one write(2): no shared FILE*
/// state, so lines from several threads never interleave. Control
/// characters in it are escaped (`LineText`): a namespace name, a path or
/// a broker's words with a newline in it cannot forge a line.
public func printError(_ line: String) {
    let text = LineText.escaping(line.hasSuffix("\n") ? String(line.dropLast()) : line) + "\n"
    text.utf8CString.withUnsafeBytes { bytes in
        // A stderr that is gone has nobody to tell.
        _ = try? Syscall.writeAll(descriptor: STDERR_FILENO, bytes: UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
    }
}

/// Text made safe to be one line of a log: every control character (C0,
/// DEL, C1, and Unicode's line and paragraph separators) written as an
/// escape (`\n`, `\r`, `\t`, `\u{1B}`), everything else as it is.
public enum LineText {
    public static func escaping(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
