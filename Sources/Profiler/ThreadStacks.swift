import CProfiler
import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Every thread's current stack, as text: each thread is asked in turn by
/// a real-time signal and answers from its handler. A thread that blocks
/// the signal (librdkafka blocks every signal in its own threads) cannot
/// answer; it is listed with what the kernel says it is doing instead.
public enum ThreadStacks {
    private static let oneAtATime = Mutex(())

    public static func text() -> String {
        oneAtATime.withLock { _ in
            var symbolizer = Symbolizer()
            let tids = ((try? ProcFiles.entries("/proc/self/task")) ?? []).compactMap { Int32($0) }.sorted()
            var out = "# \(tids.count) threads of process \(getpid()); stacks leaf first\n"
            let signal = Int(xtcp_stack_signal())
            for tid in tids {
                let name = CPUProfiler.threadName(tid)
                let status = ProcFiles.statusFields("/proc/self/task/\(tid)/status", ["State", "SigBlk"])
                let state = status["State"].map(String.init) ?? "?"
                out += "\nthread \(tid) \"\(name)\" \(state)\n"
                if tid == xtcp_current_thread_id() {
                    out += "    (this thread, answering the request)\n"
                    continue
                }
                if blocks(signal: signal, mask: status["SigBlk"]) {
                    let wchan = (try? ProcFiles.text("/proc/self/task/\(tid)/wchan")) ?? "?"
                    out += "    (blocks signals, so its stack cannot be taken; kernel wait channel: \(wchan.isEmpty ? "?" : wchan))\n"
                    continue
                }
                var sample = xtcp_prof_sample()
                let result = xtcp_thread_stack(tid, &sample, 200)
                guard result == 0 else {
                    out += "    (no answer: \(String(cString: strerror(-result))))\n"
                    continue
                }
                for address in CPUProfiler.framesOf(sample) {
                    let frame = symbolizer.frame(at: address)
                    out += "    \(frame.function)  [\(symbolizer.basename(frame.object))]\n"
                }
            }
            return out
        }
    }

    /// Whether SigBlk (a hex mask, bit n-1 for signal n) has `signal`.
    static func blocks(signal: Int, mask: Substring?) -> Bool {
        guard let mask = mask.flatMap({ UInt64($0, radix: 16) }) else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }
}
