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
