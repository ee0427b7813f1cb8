import CProfiler
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
            let tids = ((try? directoryEntries("/proc/self/task")) ?? []).compactMap { Int32($0) }.sorted()
            var out = "# \(tids.count) threads of process \(getpid()); stacks leaf first\n"
            let signal = Int(xtcp_stack_signal())
            for tid in tids {
                let name = CPUProfiler.threadName(tid)
                let status = (try? readProcFile("/proc/self/task/\(tid)/status")) ?? ""
                let state = field("State", in: status) ?? "?"
                out += "\nthread \(tid) \"\(name)\" \(state)\n"
                if tid == xtcp_current_thread_id() {
                    out += "    (this thread, answering the request)\n"
                    continue
                }
                if blocks(signal: signal, status: status) {
                    let wchan = ((try? readProcFile("/proc/self/task/\(tid)/wchan")) ?? "?")
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

    static func field(_ name: String, in status: String) -> String? {
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: " \t")
        }
        return nil
    }

    /// Whether SigBlk (a hex mask, bit n-1 for signal n) has `signal`.
    static func blocks(signal: Int, status: String) -> Bool {
        guard let mask = field("SigBlk", in: status).flatMap({ UInt64($0, radix: 16) }) else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }
}

func directoryEntries(_ path: String) throws -> [String] {
    guard let directory = opendir(path) else { throw ProcFileError(path: path, errno: errno) }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
