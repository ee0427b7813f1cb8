#if canImport(Glibc)
import Glibc
#endif

/// The running kernel's release (uname -r), for io_uring features the
/// opcode probe cannot show: flags of an operation, such as the multishot
/// receive, which Linux 6.0 added to IORING_OP_RECV.
public struct KernelRelease: CustomStringConvertible, Sendable, Equatable {
    public var major: Int
    public var minor: Int
    public var description: String

    public init(_ release: String) {
        description = release
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).map { Int($0) ?? 0 }
        major = numbers.first ?? 0
        minor = numbers.count > 1 ? numbers[1] : 0
    }

    /// A release given by hand (`-replayKernel 7.0.3`) or recorded in a
    /// capture ("Linux 7.0.3-arch1-1", "64-bit Linux 6.18.0"): the first
    /// word that starts MAJOR.MINOR; nil when there is none.
    public init?(finding text: String) {
        for word in text.split(separator: " ") {
            let numbers = word.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            guard numbers.count >= 2, let major = Int(numbers[0]), major > 0,
                  numbers[1].prefix(while: \.isNumber).count > 0 else { continue }
            self.init(String(word))
            return
        }
        return nil
    }

    public static let current: KernelRelease = {
        var names = utsname()
        guard uname(&names) == 0 else { return KernelRelease("0.0") }
        // Safe: `release` is a NUL-terminated array inside `names`.
        let release = withUnsafeBytes(of: &names.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return KernelRelease(release)
    }()

    public func isAtLeast(_ major: Int, _ minor: Int) -> Bool { (self.major, self.minor) >= (major, minor) }
}
