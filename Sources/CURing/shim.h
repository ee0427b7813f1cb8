// liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE when unset; include the glibc
// headers whose types Swift's Glibc module already knows first, so the
// feature macros arrive too late to change fd_set and sigset_t (DESIGN.md,
// "Interop traps").
#include <sys/select.h>
#include <signal.h>
#include <liburing.h>

// liburing's flag macros are built from enum values (`1U << IOSQE_IO_LINK_BIT`),
// which Swift does not import: the same values as named constants.
static const unsigned XTCP_IOSQE_IO_LINK = IOSQE_IO_LINK;
static const unsigned XTCP_IOSQE_BUFFER_SELECT = IOSQE_BUFFER_SELECT;
static const unsigned XTCP_IORING_CQE_F_BUFFER = IORING_CQE_F_BUFFER;
static const unsigned XTCP_IORING_CQE_F_MORE = IORING_CQE_F_MORE;
static const unsigned XTCP_IORING_CQE_BUFFER_SHIFT = IORING_CQE_BUFFER_SHIFT;
static const unsigned XTCP_IORING_SETUP_SINGLE_ISSUER = IORING_SETUP_SINGLE_ISSUER;
static const unsigned XTCP_IORING_SETUP_DEFER_TASKRUN = IORING_SETUP_DEFER_TASKRUN;
static const unsigned XTCP_IORING_SETUP_COOP_TASKRUN = IORING_SETUP_COOP_TASKRUN;
static const unsigned XTCP_IORING_OP_RECV = IORING_OP_RECV;
