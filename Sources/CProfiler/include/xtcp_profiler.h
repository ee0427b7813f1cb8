// The parts of xtcp's profiler that must be C: the signal handlers that
// capture a thread's stack (they may run between any two instructions, so
// they touch only preallocated memory and async-signal-safe calls), the
// per-thread CPU timers that send those signals, and name demangling found
// at run time. Everything else (symbols, aggregation, pprof encoding) is
// Swift in the Profiler module.
#ifndef XTCP_PROFILER_H
#define XTCP_PROFILER_H

#include <stdint.h>
#include <sys/types.h>

/// Frames kept per stack; deeper stacks are cut at the outermost end.
#define XTCP_PROF_MAX_FRAMES 64

/// One captured stack. pcs[0] is the interrupted instruction itself; the
/// frames after it are return addresses (so symbolise pcs[i] - 1 there).
typedef struct {
    int32_t tid;
    int32_t depth;
    /// Timer periods this sample stands for: 1, plus the expirations the
    /// kernel folded into one signal (CPU timers fire at most once a tick,
    /// so at rates above CONFIG_HZ one signal carries several periods).
    int32_t weight;
    uintptr_t pcs[XTCP_PROF_MAX_FRAMES];
} xtcp_prof_sample;

/// Starts sampling every thread's CPU time at `hz` samples per second of
/// that thread's CPU: a CPU timer per thread (CLOCK of the thread, signal
/// to that thread), so each sample is the stack of the thread that spent
/// the time. Returns 0, -EBUSY while a profile runs, or -errno.
int xtcp_prof_start(int hz);

/// Arms a timer for threads started since the last call (and forgets those
/// that ended). Returns the number of threads being sampled.
int xtcp_prof_watch_threads(void);

/// Moves up to `capacity` captured samples into `out`; returns how many.
int xtcp_prof_drain(xtcp_prof_sample *out, int capacity);

/// Stops sampling and deletes the timers. Samples not yet drained stay
/// until the next drain.
void xtcp_prof_stop(void);

/// Samples lost because the buffer was full, since the last start.
uint64_t xtcp_prof_dropped(void);

/// The signal the thread-stack snapshot uses (a real-time signal).
int xtcp_stack_signal(void);

/// Captures thread `tid`'s current stack (a thread of this process) into
/// `out` by signalling it; waits at most `timeout_ms`. Returns 0, -ETIMEDOUT
/// when the thread did not answer, or -errno. One caller at a time.
int xtcp_thread_stack(pid_t tid, xtcp_prof_sample *out, int timeout_ms);

/// The calling thread's id (gettid, which Swift's Glibc does not show).
pid_t xtcp_current_thread_id(void);

/// Demangles a Swift ($s…) or C++ (_Z…) symbol into `out` (NUL-terminated).
/// Returns 1 when it did, 0 when `name` is not mangled or cannot be.
int xtcp_demangle(const char *name, char *out, size_t capacity);

#endif
