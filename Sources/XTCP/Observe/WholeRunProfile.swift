import Platform
import Profiler
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `-profile.mode cpu`: a CPU profile from start to end of the run, sampled
/// by a thread of its own and written to `-profile.path` when the run ends.
/// The file is opened at start, so a path that cannot be written is an
/// error before the first poll, not after the last.
final class WholeRunProfile: @unchecked Sendable {  // `thread` is set in init and joined in finish, both on the daemon's thread
    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    private let profiler: CPUProfiler
    private let file: FileDescriptor
    private let path: String
    private let stopping = Atomic(false)
    private var thread: OSThread?

    init(path: String) throws {
        do { file = try OutputFile.open(path, truncating: true) } catch {
            throw OutputFile.OpenFailure(flag: "-profile.path", path: path, refusal: error)
        }
        do { profiler = try CPUProfiler() } catch {
            throw OpenError(description: "-profile.mode cpu: \(error)")
        }
        self.path = path
        thread = try OSThread(name: "xtcp-profile") { [self] in
            profiler.sample(until: .now + .seconds(Int64.max / 2_000_000_000)) { stopping.load(ordering: .relaxed) }
        }
    }

    /// Ends the profile and writes it; returns what to log, and whether it
    /// was written.
    func finish() -> (line: String, written: Bool) {
        stopping.store(true, ordering: .relaxed)
        thread?.join()
        let profile = profiler.finish()
        guard let bytes = CPUProfileFile.bytes(profile) else { return ("xtcp: -profile.path \(path): the profile could not be compressed (zlib)", false) }
        do { try Syscall.writeAll(descriptor: file.rawValue, bytes: bytes) } catch {
            return ("xtcp: -profile.path \(path): cannot write: \(Errno.describe(error.errno))", false)
        }
        return ("xtcp: CPU profile of the run: \(profile.sampleCount) samples at \(profile.hz) Hz"
            + (profile.dropped > 0 ? " (\(profile.dropped) lost: buffer full)" : "") + " written to \(path) (go tool pprof \(path))", true)
    }
}
