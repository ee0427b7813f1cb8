import CProfiler
import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process's sampling CPU profiler: one profile at a time, because the
/// timers and signal handler are the process's. A profile samples every
/// thread's own CPU clock at `hz` (threads that start during the profile
/// are added on the next drain, every 100 ms) and ends with `finish()`.
public final class CPUProfiler: Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case busy
        case badRate(Int)
        case system(Int32)

        public var description: String {
            switch self {
            case .busy: "a CPU profile is already running"
            case .badRate(let hz): "hz \(hz) is out of range (1 to 1000)"
            case .system(let error): "cannot start the CPU profiler: \(String(cString: strerror(error)))"
            }
        }
    }

    public static let defaultHz = 100
    static let drainEvery = Duration.milliseconds(100)

    private struct State: ~Copyable {
        var profile: CPUProfile
        var buffer: UnsafeMutablePointer<xtcp_prof_sample>
        var finished = false
    }

    /// Guards the C side's single profile, across every CPUProfiler.
    private static let running = Mutex(false)
    private let state: Mutex<State>
    private static let bufferCapacity = 512

    /// Starts profiling; throws `.busy` while another profile runs.
    public init(hz: Int = defaultHz) throws(StartError) {
        guard (1...1000).contains(hz) else { throw .badRate(hz) }
        let claimed = Self.running.withLock { running in
            if running { return false }
            running = true
            return true
        }
        guard claimed else { throw .busy }
        let result = xtcp_prof_start(Int32(hz))
        guard result == 0 else {
            Self.running.withLock { $0 = false }
            throw .system(-result)
        }
        let buffer = UnsafeMutablePointer<xtcp_prof_sample>.allocate(capacity: Self.bufferCapacity)
        state = Mutex(State(profile: CPUProfile(hz: hz), buffer: buffer))
    }

    deinit {
        _ = finish()
        state.withLock { $0.buffer.deallocate() }
    }

    /// Samples until `deadline` or until `stop` says so, draining the
    /// handlers' buffer as it goes. Call from one thread.
    public func sample(until deadline: ContinuousClock.Instant, stop: () -> Bool = { false }) {
        while ContinuousClock.now < deadline, !stop() {
            let pause = min(Self.drainEvery, deadline - .now)
            if pause > .zero { Syscall.sleep(pause) }
            drain()
        }
    }

    /// Stops sampling and returns what was collected. Later calls return
    /// the same profile.
    public func finish() -> CPUProfile {
        state.withLock { state in
            if !state.finished {
                xtcp_prof_stop()
                Self.drain(&state)
                state.profile.dropped = xtcp_prof_dropped()
                state.profile.duration = .now - state.profile.started
                state.finished = true
                Self.running.withLock { $0 = false }
            }
            return state.profile
        }
    }

    private func drain() {
        state.withLock { state in
            guard !state.finished else { return }
            Self.drain(&state)
            xtcp_prof_watch_threads()
        }
    }

    private static func drain(_ state: inout State) {
        while true {
            let taken = Int(xtcp_prof_drain(state.buffer, Int32(bufferCapacity)))
            for index in 0..<taken {
                let sample = state.buffer[index]
                let stack = framesOf(sample)
                state.profile.counts[CPUProfile.Key(thread: sample.tid, stack: stack), default: 0] += Int(max(1, sample.weight))
                if state.profile.threadNames[sample.tid] == nil {
                    state.profile.threadNames[sample.tid] = threadName(sample.tid)
                }
            }
            if taken < bufferCapacity { return }
        }
    }

    /// A sample's addresses, leaf first, return addresses minus one.
    static func framesOf(_ sample: xtcp_prof_sample) -> [UInt64] {
        withUnsafeBytes(of: sample.pcs) { raw in
            // Safe: pcs is a fixed array of XTCP_PROF_MAX_FRAMES uintptr_t,
            // and depth is at most that (the handler bounds it).
            let pcs = raw.bindMemory(to: UInt.self)
            return (0..<Int(min(sample.depth, XTCP_PROF_MAX_FRAMES))).map { UInt64(pcs[$0]) - ($0 == 0 ? 0 : 1) }
        }
    }

    static func threadName(_ tid: Int32) -> String {
        let name = ((try? ProcFiles.text("/proc/self/task/\(tid)/comm")) ?? "").split(separator: "\n").first.map(String.init) ?? ""
        return name.isEmpty ? "thread \(tid)" : name
    }
}
