import Platform

/// How a kernel lays out the one word of tcp_info that has two layouts at
/// the same offset (248) and the same 280-byte length: the length cannot
/// tell them apart, the kernel release must (the running kernel's for a
/// live poll; for a replay, `-replayKernel` or the release the capture
/// records).
///
/// - 6.18: `__u16 tcpi_accecn_fail_mode; __u16 tcpi_accecn_opt_seen;`
/// - 7.0 on ("tcp: accecn: add tcpi_ecn_mode and tcpi_option2 in
///   tcp_info"): `__u32 tcpi_ecn_mode:2, tcpi_accecn_opt_seen:2,
///   tcpi_accecn_fail_mode:4, tcpi_options2:24;`
///
/// Kernels before 6.18 send 248 bytes or fewer: the word is not there and
/// every field of it reads 0 whichever the layout.
public enum TCPInfoLayout: String, Sendable, Equatable, CustomStringConvertible {
    /// 6.18's two u16.
    case accecnHalves = "6.18"
    /// 7.0's bit fields.
    case accecnPacked = "7.0"

    public init(release: KernelRelease) {
        self = release.isAtLeast(7, 0) ? .accecnPacked : .accecnHalves
    }

    /// The running kernel's: what a live poll decodes with.
    public static let running = TCPInfoLayout(release: .current)

    public var description: String { "tcp_info of Linux \(rawValue)" }

    /// The word's fields: (ecn_mode, accecn_opt_seen, accecn_fail_mode,
    /// options2); 6.18 has no ecn_mode nor options2 (0).
    @inlinable
    public func fields(of word: UInt32) -> (ecnMode: UInt32, optSeen: UInt32, failMode: UInt32, options2: UInt32) {
        // The word was read in the host's byte order, as the kernel wrote it.
        switch self {
        case .accecnHalves:
            #if _endian(big)
            return (0, word & 0xffff, word >> 16, 0)
            #else
            return (0, word >> 16, word & 0xffff, 0)
            #endif
        case .accecnPacked:
            // GCC allocates bit fields from the low bits on little-endian
            // targets and from the high bits on big-endian ones.
            #if _endian(big)
            return (word >> 30, (word >> 28) & 0x3, (word >> 24) & 0xf, word & 0xff_ffff)
            #else
            return (word & 0x3, (word >> 2) & 0x3, (word >> 4) & 0xf, word >> 8)
            #endif
        }
    }
}
