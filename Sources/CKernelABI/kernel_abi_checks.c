// Compile-time proof that the vendored layouts match the kernel's uapi.
// Offsets are those of Linux 6.18 (pahole), the sizes those the kernel sends.
#include <stddef.h>
#include "xtcp_kernel_abi.h"

_Static_assert(sizeof(struct xtcp_nlmsghdr) == 16, "nlmsghdr");
_Static_assert(sizeof(struct xtcp_inet_diag_sockid) == 48, "inet_diag_sockid");
_Static_assert(sizeof(struct xtcp_inet_diag_req_v2) == 56, "inet_diag_req_v2");
_Static_assert(sizeof(struct xtcp_inet_diag_bc_op) == 4, "inet_diag_bc_op");
_Static_assert(sizeof(struct xtcp_inet_diag_hostcond) == 8, "inet_diag_hostcond");
_Static_assert(offsetof(struct xtcp_inet_diag_hostcond, port) == 4, "hostcond port");
_Static_assert(sizeof(struct xtcp_inet_diag_msg) == 72, "inet_diag_msg");
_Static_assert(offsetof(struct xtcp_inet_diag_msg, idiag_inode) == 68, "idiag_inode");
_Static_assert(sizeof(struct xtcp_inet_diag_meminfo) == 16, "inet_diag_meminfo");
_Static_assert(sizeof(struct xtcp_tcpvegas_info) == 16, "tcpvegas_info");
_Static_assert(sizeof(struct xtcp_tcp_dctcp_info) == 16, "tcp_dctcp_info");
_Static_assert(sizeof(struct xtcp_tcp_bbr_info) == 20, "tcp_bbr_info");
_Static_assert(sizeof(struct xtcp_tcp_info) == 280, "tcp_info (6.18)");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_rto) == 8, "tcpi_rto");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_pacing_rate) == 104, "tcpi_pacing_rate");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_delivery_rate) == 160, "tcpi_delivery_rate");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_bytes_sent) == 200, "tcpi_bytes_sent (4.19 ends at 224)");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_rcv_ooopack) == 224, "tcpi_rcv_ooopack (5.4 ends at 232)");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_snd_wnd) == 228, "tcpi_snd_wnd");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_rcv_wnd) == 232, "tcpi_rcv_wnd (6.6 ends at 240)");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_total_rto) == 240, "tcpi_total_rto");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_total_rto_time) == 244, "tcpi_total_rto_time (6.8 ends at 248)");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_accecn_word) == 248, "tcpi_accecn_word");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_received_ce) == 252, "tcpi_received_ce");
_Static_assert(offsetof(struct xtcp_tcp_info, tcpi_received_ce_bytes) == 276, "tcpi_received_ce_bytes");
