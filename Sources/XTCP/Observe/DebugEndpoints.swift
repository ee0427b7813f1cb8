import Platform
import Profiler

/// `/debug/pprof/…`: what an operator (or `go tool pprof`) asks a running
/// daemon about its own cost. The CPU profile samples for the asked time on
/// a thread of its own; the rest answer at once.
struct DebugEndpoints: Sendable {
    static let prefix = "/debug/pprof/"
    static let maxSeconds = 3600
    static let badProfileRequest = HTTPListener.Reply.now(.init(status: 400, body: "expected seconds=1..\(maxSeconds) and hz=1..1000\n"))

    static let index = """
        xtcp debug endpoints (like Go's net/http/pprof, for `go tool pprof`):
        /debug/pprof/profile?seconds=30&hz=100  CPU profile of every thread (gzipped profile.proto); seconds 1-\(maxSeconds), hz 1-1000
        /debug/pprof/threads                    every thread's current stack, as text
        /debug/pprof/malloc                     glibc malloc statistics (mallinfo2): amounts held and in use, not a heap profile

        """

    func answer(_ request: HTTPListener.Request) -> HTTPListener.Reply {
        switch String(request.path.dropFirst(Self.prefix.count)) {
        case "":
            return .now(.init(status: 200, body: Self.index))
        case "profile":
            return profile(request.query)
        case "threads":
            return .now(.init(status: 200, body: ThreadStacks.text()))
        case "malloc":
            return .now(.init(status: 200, body: MallocStatistics.text()))
        case "heap", "allocs":
            return .now(.init(status: 404, body: "xtcp has no sampled heap profile; /debug/pprof/malloc has glibc's malloc statistics\n"))
        default:
            return .now(.init(status: 404, body: "not found: \(request.path)\n\n" + Self.index))
        }
    }

    private func profile(_ query: String) -> HTTPListener.Reply {
        let parameters = HTTPQuery.parameters(query)
        guard let seconds = Int(parameters["seconds"] ?? "30"), (1...Self.maxSeconds).contains(seconds),
              let hz = Int(parameters["hz"] ?? "\(CPUProfiler.defaultHz)") else {
            return Self.badProfileRequest
        }
        let profiler: CPUProfiler
        do {
            profiler = try CPUProfiler(hz: hz)
        } catch .busy {
            return .now(.init(status: 409, body: "a CPU profile is already running (another request, or -profile.mode cpu)\n"))
        } catch .badRate {
            return Self.badProfileRequest
        } catch {
            return .now(.init(status: 500, body: "\(error)\n"))
        }
        return .later { clientGone in
            // A client gone before its profile is done frees the profiler
            // at once, not after `seconds`.
            profiler.sample(until: .now + .seconds(seconds), stop: clientGone)
            guard let bytes = CPUProfileFile.bytes(profiler.finish()) else {
                return .init(status: 500, body: "the profile could not be compressed (zlib)\n")
            }
            return .init(status: 200, contentType: "application/octet-stream", bytes: bytes,
                         extraHeaders: "Content-Disposition: attachment; filename=\"profile\"\r\n")
        }
    }
}

/// A finished CPU profile as the bytes of a `.pb.gz` file.
enum CPUProfileFile {
    static func bytes(_ profile: CPUProfile) -> [UInt8]? {
        var symbolizer = Symbolizer()
        return Gzip.compress(PprofEncoding.encode(profile, symbolizer: &symbolizer))
    }
}
