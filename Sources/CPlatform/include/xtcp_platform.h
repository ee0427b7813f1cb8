// What Swift cannot reach of glibc on its own: calls declared only under
// _GNU_SOURCE (which this target defines and Swift's import of glibc does
// not), structs Swift imports badly (epoll_event is packed on x86-64), and
// <malloc.h>, which is not in Swift's Glibc module. Not kernel ABI: that is
// CKernelABI's. Each function is what the C call returns (-1 with errno
// set, unless it says otherwise); Platform's `Syscall` is the only caller,
// and retries EINTR there.
#ifndef XTCP_PLATFORM_H
#define XTCP_PLATFORM_H

#include <stdint.h>

/// setns(fd, CLONE_NEWNET) for the calling thread.
int xtcp_platform_enter_network_namespace(int fd);

/// pthread_setname_np for the calling thread (15 bytes shown): what `top -H`
/// and /proc/PID/task/TID/comm show. Returns 0 or an errno.
int xtcp_platform_set_thread_name(const char *_Nonnull name);

/// CPUs this process may run on (its affinity mask: a cpuset counts); 1 when
/// it cannot be read.
int xtcp_platform_available_cpus(void);

/// mallopt(M_MMAP_THRESHOLD, bytes): allocations of at least `bytes` are
/// mmapped and go back to the kernel when freed (a fixed threshold).
int xtcp_platform_malloc_fix_mmap_threshold(int bytes);
/// malloc_trim(0): free heap pages back to the kernel.
int xtcp_platform_malloc_trim(void);
/// mallinfo2's arena, ordblks, hblks, hblkhd, uordblks, fordblks, keepcost.
void xtcp_platform_malloc_statistics(uint64_t out[_Nonnull 7]);

/// errno's symbolic name ("ENOBUFS"), or NULL when unknown (strerrorname_np).
const char *_Nullable xtcp_platform_errno_name(int error);

/// pipe2(fds, O_CLOEXEC) and accept4(fd, NULL, NULL, SOCK_CLOEXEC): the
/// descriptors are close-on-exec from the start.
int xtcp_platform_pipe_cloexec(int fds[_Nonnull 2]);
int xtcp_platform_accept_cloexec(int fd);

/// recvmmsg(fd, ..., MSG_DONTWAIT) of up to `count` datagrams into
/// consecutive `slot`-byte slots of `buffer`: each one's length goes to
/// `lengths[i]` and whether it was cut short (MSG_TRUNC) to `truncated[i]`.
/// One system call for a burst of datagrams. Returns the datagrams
/// received, or -1 with errno (EAGAIN: none waiting).
int xtcp_platform_recvmmsg(int fd, void *_Nonnull buffer, unsigned slot, unsigned count,
                           uint32_t *_Nonnull lengths, uint8_t *_Nonnull truncated);

/// SIOCOUTQ: a socket's send queue, the bytes its peer has not taken, in
/// *bytes. 0, or -1 with errno.
int xtcp_platform_send_queue_bytes(int fd, int *_Nonnull bytes);

/// ETHTOOL_GDRVINFO through SIOCETHTOOL on `fd` (any socket): the
/// driver of interface `ifname`, its version, the firmware's and the bus
/// address, each into a buffer of 32 bytes (ethtool's sizes), terminated.
/// 0, or -1 with errno.
int xtcp_platform_ethtool_drvinfo(int fd, const char *_Nonnull ifname, char driver[_Nonnull 32], char version[_Nonnull 32],
                                  char firmware[_Nonnull 32], char bus[_Nonnull 32]);

/// epoll: create (close-on-exec), watch `fd` for input (`output` 0) or
/// for room to write (`output` 1) under `token`, change that, stop
/// watching, and wait up to `milliseconds` for at most `most` tokens.
int xtcp_platform_epoll_create(void);
int xtcp_platform_epoll_add(int epoll, int fd, uint64_t token, int output);
int xtcp_platform_epoll_modify(int epoll, int fd, uint64_t token, int output);
int xtcp_platform_epoll_remove(int epoll, int fd);
int xtcp_platform_epoll_wait(int epoll, uint64_t *_Nonnull tokens, int most, int milliseconds);

// The real-time signal that wakes the poll loop from its sigtimedwait when
// a poll is asked for between ticks (SIGRTMIN is a function in glibc, not a
// constant Swift can import). The profiler's stack signal is SIGRTMIN + 3.
int xtcp_platform_wake_signal(void);
// pthread_kill of that signal to `thread`: 0 or an errno.
int xtcp_platform_wake_thread(unsigned long thread);

#endif
