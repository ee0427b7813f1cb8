// See xtcp_profiler.h. Safety of the signal handlers, written once here:
// they write only to static arrays claimed by an atomic compare-and-swap,
// call only gettid, backtrace and atomics, and save errno. backtrace is
// called once by xtcp_prof_start / xtcp_thread_stack before any signal is
// armed, so its one-time load of libgcc_s (which allocates) never happens
// inside a handler; after that it walks .eh_frame with no allocation.
#define _GNU_SOURCE
#include "xtcp_profiler.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

// MARK: stack capture (runs inside signal handlers)

static uintptr_t interrupted_pc(const void *context) {
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

// The unwinder's frames start in this handler and the kernel's signal
// trampoline; the interrupted frame is the one whose address is the
// interrupted pc. Frames above it are kept; if the unwinder did not get
// there (a frame without unwind tables), the sample is that pc alone.
static void capture(xtcp_prof_sample *sample, const void *context) {
    void *frames[XTCP_PROF_MAX_FRAMES + 8];
    int count = backtrace(frames, XTCP_PROF_MAX_FRAMES + 8);
    uintptr_t pc = interrupted_pc(context);
    int first = -1;
    for (int i = 0; i < count && i < 8; i++) {
        if ((uintptr_t)frames[i] == pc) { first = i; break; }
    }
    sample->tid = (int32_t)gettid();
    if (first < 0) {
        sample->pcs[0] = pc;
        sample->depth = 1;
        return;
    }
    int depth = count - first;
    if (depth > XTCP_PROF_MAX_FRAMES) depth = XTCP_PROF_MAX_FRAMES;
    for (int i = 0; i < depth; i++) sample->pcs[i] = (uintptr_t)frames[first + i];
    sample->depth = depth;
}

// MARK: CPU profile

enum { SLOT_EMPTY, SLOT_WRITING, SLOT_FULL };
// 2,048 slots drained every 100 ms hold 20,480 samples a second: 100 Hz
// on 200 busy threads. Zero pages until a profile first touches them.
#define SLOT_COUNT 2048
#define MAX_TIMED_THREADS 8192

static struct {
    _Atomic int state;
    xtcp_prof_sample sample;
} slots[SLOT_COUNT];
static _Atomic unsigned long next_slot;
static _Atomic uint64_t dropped;
static _Atomic int sampling;

static struct { pid_t tid; timer_t timer; int seen; } timed[MAX_TIMED_THREADS];
static int timed_count;
static long period_ns;
static int handler_installed;

static void on_profile_signal(int signo, siginfo_t *info, void *context) {
    (void)signo;
    int saved = errno;
    if (atomic_load_explicit(&sampling, memory_order_acquire) && info->si_code == SI_TIMER) {
        unsigned long index = atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed) % SLOT_COUNT;
        int expected = SLOT_EMPTY;
        if (atomic_compare_exchange_strong(&slots[index].state, &expected, SLOT_WRITING)) {
            capture(&slots[index].sample, context);
            slots[index].sample.weight = 1 + (info->si_overrun > 0 ? info->si_overrun : 0);
            atomic_store_explicit(&slots[index].state, SLOT_FULL, memory_order_release);
        } else {
            atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
        }
    }
    errno = saved;
}

// The kernel's clock id for one thread's CPU time (MAKE_THREAD_CPUCLOCK in
// linux/posix-timers.h: CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD_MASK), which the
// kernel accepts for any thread of the caller's process.
static clockid_t thread_cpu_clock(pid_t tid) {
    return (clockid_t)((~(unsigned)tid) << 3) | 6;
}

static int arm(pid_t tid) {
    if (timed_count == MAX_TIMED_THREADS) return -ENOSPC;
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGPROF;
    event._sigev_un._tid = tid;
    timer_t timer;
    if (timer_create(thread_cpu_clock(tid), &event, &timer) != 0) return -errno;
    struct itimerspec every = {
        .it_interval = {.tv_sec = period_ns / 1000000000L, .tv_nsec = period_ns % 1000000000L},
        .it_value = {.tv_sec = period_ns / 1000000000L, .tv_nsec = period_ns % 1000000000L},
    };
    if (timer_settime(timer, 0, &every, NULL) != 0) {
        int error = errno;
        timer_delete(timer);
        return -error;
    }
    timed[timed_count].tid = tid;
    timed[timed_count].timer = timer;
    timed[timed_count].seen = 1;
    timed_count++;
    return 0;
}

int xtcp_prof_watch_threads(void) {
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks) return timed_count;
    for (int i = 0; i < timed_count; i++) timed[i].seen = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks))) {
        pid_t tid = (pid_t)atoi(entry->d_name);
        if (tid <= 0) continue;
        int known = 0;
        for (int i = 0; i < timed_count; i++) {
            if (timed[i].tid == tid) { timed[i].seen = 1; known = 1; break; }
        }
        if (!known) (void)arm(tid);  // a thread that ended meanwhile: ESRCH, fine
    }
    closedir(tasks);
    // Threads that ended: their timers can no longer fire; free them so a
    // reused thread id gets a fresh timer.
    int kept = 0;
    for (int i = 0; i < timed_count; i++) {
        if (timed[i].seen) timed[kept++] = timed[i];
        else timer_delete(timed[i].timer);
    }
    timed_count = kept;
    return timed_count;
}

int xtcp_prof_start(int hz) {
    if (hz < 1 || hz > 10000) return -EINVAL;
    if (atomic_load(&sampling)) return -EBUSY;
    void *warm[4];
    (void)backtrace(warm, 4);
    if (!handler_installed) {
        // Installed once and kept: a timer signal still in flight after a
        // stop must find a handler, not SIGPROF's default (terminate).
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_profile_signal;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        // Neither handler interrupts the other: a stack is taken whole.
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, xtcp_stack_signal());
        if (sigaction(SIGPROF, &action, NULL) != 0) return -errno;
        handler_installed = 1;
    }
    period_ns = 1000000000L / hz;
    atomic_store(&dropped, 0);
    atomic_store_explicit(&sampling, 1, memory_order_release);
    timed_count = 0;
    xtcp_prof_watch_threads();
    return 0;
}

int xtcp_prof_drain(xtcp_prof_sample *out, int capacity) {
    int taken = 0;
    for (int i = 0; i < SLOT_COUNT && taken < capacity; i++) {
        if (atomic_load_explicit(&slots[i].state, memory_order_acquire) != SLOT_FULL) continue;
        out[taken++] = slots[i].sample;
        atomic_store_explicit(&slots[i].state, SLOT_EMPTY, memory_order_release);
    }
    return taken;
}

void xtcp_prof_stop(void) {
    for (int i = 0; i < timed_count; i++) timer_delete(timed[i].timer);
    timed_count = 0;
    atomic_store_explicit(&sampling, 0, memory_order_release);
}

uint64_t xtcp_prof_dropped(void) { return atomic_load(&dropped); }

// MARK: one thread's stack on demand

enum { SNAP_IDLE, SNAP_ASKED, SNAP_WRITING, SNAP_DONE };
static struct {
    _Atomic int state;
    _Atomic pid_t tid;
    xtcp_prof_sample sample;
} snapshot;
static int stack_handler_installed;

static void on_stack_signal(int signo, siginfo_t *info, void *context) {
    (void)signo;
    (void)info;
    int saved = errno;
    int asked = SNAP_ASKED;
    if (atomic_load(&snapshot.tid) == gettid() && atomic_compare_exchange_strong(&snapshot.state, &asked, SNAP_WRITING)) {
        capture(&snapshot.sample, context);
        atomic_store_explicit(&snapshot.state, SNAP_DONE, memory_order_release);
    }
    errno = saved;
}

int xtcp_stack_signal(void) { return SIGRTMIN + 3; }

int xtcp_thread_stack(pid_t tid, xtcp_prof_sample *out, int timeout_ms) {
    if (!stack_handler_installed) {
        void *warm[4];
        (void)backtrace(warm, 4);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_stack_signal;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, SIGPROF);
        if (sigaction(xtcp_stack_signal(), &action, NULL) != 0) return -errno;
        stack_handler_installed = 1;
    }
    atomic_store(&snapshot.tid, tid);
    atomic_store(&snapshot.state, SNAP_ASKED);
    if (syscall(SYS_tgkill, getpid(), tid, xtcp_stack_signal()) != 0) {
        int error = errno;
        atomic_store(&snapshot.state, SNAP_IDLE);
        return -error;
    }
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 200000};
    for (long waited_us = 0; waited_us < timeout_ms * 1000L; waited_us += 200) {
        if (atomic_load_explicit(&snapshot.state, memory_order_acquire) == SNAP_DONE) {
            *out = snapshot.sample;
            atomic_store(&snapshot.state, SNAP_IDLE);
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    // Withdraw the question; if the handler is writing right now, let it
    // finish so the next request starts from a quiet snapshot.
    int asked = SNAP_ASKED;
    if (!atomic_compare_exchange_strong(&snapshot.state, &asked, SNAP_IDLE)) {
        while (atomic_load(&snapshot.state) == SNAP_WRITING) nanosleep(&pause, NULL);
        atomic_store(&snapshot.state, SNAP_IDLE);
    }
    return -ETIMEDOUT;
}

// MARK: names

pid_t xtcp_current_thread_id(void) { return gettid(); }

typedef char *(*swift_demangle_fn)(const char *, size_t, char *, size_t *, uint32_t);
typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

int xtcp_demangle(const char *name, char *out, size_t capacity) {
    // Found at run time: libswiftCore and libstdc++ are loaded in every
    // Swift process, but linking to them by name would tie this target to
    // their link lines.
    char *result = NULL;
    if (strncmp(name, "$s", 2) == 0 || strncmp(name, "_$s", 3) == 0 || strncmp(name, "$S", 2) == 0) {
        swift_demangle_fn demangle = (swift_demangle_fn)dlsym(RTLD_DEFAULT, "swift_demangle");
        if (demangle) result = demangle(name, strlen(name), NULL, NULL, 0);
    } else if (strncmp(name, "_Z", 2) == 0) {
        cxa_demangle_fn demangle = (cxa_demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
        int status = 0;
        if (demangle) result = demangle(name, NULL, NULL, &status);
    }
    if (!result) return 0;
    strncpy(out, result, capacity - 1);
    out[capacity - 1] = 0;
    free(result);
    return 1;
}

