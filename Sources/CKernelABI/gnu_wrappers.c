// Thin wrappers for calls glibc declares only under _GNU_SOURCE, which this
// target defines and Swift's import of glibc does not.
#include <pthread.h>
#include <string.h>
#include <sched.h>
#include "xtcp_kernel_abi.h"

int xtcp_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int xtcp_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int xtcp_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

// <malloc.h> is not part of Swift's Glibc module.
#include <malloc.h>

int xtcp_malloc_fix_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

int xtcp_malloc_trim(void) {
    return malloc_trim(0);
}

const char *xtcp_errno_name(int error) {
    return strerrorname_np(error);
}

#include <sys/socket.h>
#include <errno.h>

int xtcp_receive_datagrams(int fd, void *buffer, unsigned slot, unsigned count,
                           uint32_t *lengths, uint8_t *truncated) {
    enum { most = 256 };
    struct mmsghdr messages[most];
    struct iovec vectors[most];
    if (count > most) count = most;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = (char *)buffer + (size_t)i * slot;
        vectors[i].iov_len = slot;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received;
    do {
        received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    for (int i = 0; i < received; i++) {
        lengths[i] = messages[i].msg_len;
        truncated[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return received;
}

#include <sys/epoll.h>

int xtcp_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int xtcp_epoll_add(int epoll, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int xtcp_epoll_remove(int epoll, int fd) { return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL); }

int xtcp_epoll_wait(int epoll, uint64_t *tokens, int most, int milliseconds) {
    enum { limit = 256 };
    struct epoll_event events[limit];
    if (most > limit) most = limit;
    int count = epoll_wait(epoll, events, most, milliseconds);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

int xtcp_socket_drops(int fd, uint32_t *drops) {
    uint32_t meminfo[XTCP_SK_MEMINFO_VARS];
    socklen_t length = sizeof meminfo;
    memset(meminfo, 0, sizeof meminfo);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) != 0) return -1;
    *drops = meminfo[XTCP_SK_MEMINFO_DROPS];
    return 0;
}
