// See xtcp_platform.h. No loops here: Platform's Syscall retries EINTR.
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "xtcp_platform.h"

int xtcp_platform_enter_network_namespace(int fd) { return setns(fd, CLONE_NEWNET); }

int xtcp_platform_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }

int xtcp_platform_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int xtcp_platform_malloc_fix_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

int xtcp_platform_malloc_trim(void) { return malloc_trim(0); }

void xtcp_platform_malloc_statistics(uint64_t out[7]) {
    struct mallinfo2 info = mallinfo2();
    out[0] = info.arena;
    out[1] = info.ordblks;
    out[2] = info.hblks;
    out[3] = info.hblkhd;
    out[4] = info.uordblks;
    out[5] = info.fordblks;
    out[6] = info.keepcost;
}

const char *xtcp_platform_errno_name(int error) { return strerrorname_np(error); }

int xtcp_platform_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int xtcp_platform_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int xtcp_platform_recvmmsg(int fd, void *buffer, unsigned slot, unsigned count, uint32_t *lengths, uint8_t *truncated) {
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
    int received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    for (int i = 0; i < received; i++) {
        lengths[i] = messages[i].msg_len;
        truncated[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return received;
}

int xtcp_platform_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int xtcp_platform_epoll_add(int epoll, int fd, uint64_t token, int output) {
    struct epoll_event event = {.events = output ? EPOLLOUT : EPOLLIN, .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int xtcp_platform_epoll_modify(int epoll, int fd, uint64_t token, int output) {
    struct epoll_event event = {.events = output ? EPOLLOUT : EPOLLIN, .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
}

int xtcp_platform_epoll_remove(int epoll, int fd) { return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL); }

int xtcp_platform_epoll_wait(int epoll, uint64_t *tokens, int most, int milliseconds) {
    enum { limit = 256 };
    struct epoll_event events[limit];
    if (most > limit) most = limit;
    int count = epoll_wait(epoll, events, most, milliseconds);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

int xtcp_platform_send_queue_bytes(int fd, int *bytes) { return ioctl(fd, SIOCOUTQ, bytes); }

int xtcp_platform_ethtool_drvinfo(int fd, const char *ifname, char driver[32], char version[32], char firmware[32], char bus[32]) {
    struct ethtool_drvinfo info = {.cmd = ETHTOOL_GDRVINFO};
    struct ifreq request = {0};
    if (strlen(ifname) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    strcpy(request.ifr_name, ifname);
    request.ifr_data = (void *)&info;
    if (ioctl(fd, SIOCETHTOOL, &request) != 0) return -1;
    // The kernel's strings fill their arrays; copy each terminated.
    snprintf(driver, 32, "%.*s", (int)sizeof info.driver, info.driver);
    snprintf(version, 32, "%.*s", (int)sizeof info.version, info.version);
    snprintf(firmware, 32, "%.*s", (int)sizeof info.fw_version, info.fw_version);
    snprintf(bus, 32, "%.*s", (int)sizeof info.bus_info, info.bus_info);
    return 0;
}

int xtcp_platform_wake_signal(void) { return SIGRTMIN + 4; }

int xtcp_platform_wake_thread(unsigned long thread) {
    return pthread_kill((pthread_t)thread, SIGRTMIN + 4);
}
