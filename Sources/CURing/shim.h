// liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE when unset; include the glibc
// headers whose types Swift's Glibc module already knows first, so the
// feature macros arrive too late to change fd_set and sigset_t (DESIGN.md,
// "Interop traps").
#include <sys/select.h>
#include <signal.h>
#include <liburing.h>
