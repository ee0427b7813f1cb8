// Thin wrappers for calls glibc declares only under _GNU_SOURCE.
#include <sched.h>
#include "xtcp_kernel_abi.h"

int xtcp_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}
