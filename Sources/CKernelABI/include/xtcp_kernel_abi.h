// The Linux kernel ABI that xtcp reads, vendored so that the build does not
// depend on the host's kernel headers (Debian bookworm ships Linux 6.1's,
// whose struct tcp_info stops at tcpi_snd_wnd). Layouts are those of Linux
// 6.18's uapi headers (linux/inet_diag.h, linux/sock_diag.h, linux/tcp.h,
// linux/netlink.h); every struct is checked by _Static_assert in
// kernel_abi_checks.c. Names carry an xtcp_ prefix so that they never clash
// with a system header that a C library pulls in.
#ifndef XTCP_KERNEL_ABI_H
#define XTCP_KERNEL_ABI_H

#include <stdint.h>

// MARK: - Netlink (linux/netlink.h)

enum {
    XTCP_NETLINK_SOCK_DIAG = 4,
    XTCP_NLMSG_HDRLEN = 16,
    XTCP_NLMSG_NOOP = 1,
    XTCP_NLMSG_ERROR = 2,
    XTCP_NLMSG_DONE = 3,
    XTCP_NLMSG_OVERRUN = 4,
    XTCP_NLM_F_REQUEST = 0x01,
    XTCP_NLM_F_MULTI = 0x02,
    XTCP_NLM_F_ACK = 0x04,
    XTCP_NLM_F_DUMP_INTR = 0x10,
    XTCP_NLM_F_ROOT = 0x100,
    XTCP_NLM_F_MATCH = 0x200,
    XTCP_NLM_F_DUMP = 0x300,
    XTCP_NLA_F_NESTED = 0x8000,
    XTCP_NLA_F_NET_BYTEORDER = 0x4000,
    XTCP_NLA_TYPE_MASK = 0x3fff,
    XTCP_ARPHRD_NETLINK = 824,
};

struct xtcp_nlmsghdr {
    uint32_t nlmsg_len;
    uint16_t nlmsg_type;
    uint16_t nlmsg_flags;
    uint32_t nlmsg_seq;
    uint32_t nlmsg_pid;
};

struct xtcp_nlattr {
    uint16_t nla_len;
    uint16_t nla_type;
};

// MARK: - sock_diag (linux/sock_diag.h)

enum {
    XTCP_SOCK_DIAG_BY_FAMILY = 20,
    XTCP_SOCK_DESTROY = 21,
    XTCP_SKNLGRP_INET_TCP_DESTROY = 1,
    XTCP_SKNLGRP_INET_UDP_DESTROY = 2,
    XTCP_SKNLGRP_INET6_TCP_DESTROY = 3,
    XTCP_SKNLGRP_INET6_UDP_DESTROY = 4,
};

// SK_MEMINFO_* indices of INET_DIAG_SKMEMINFO's u32 array.
enum {
    XTCP_SK_MEMINFO_RMEM_ALLOC = 0,
    XTCP_SK_MEMINFO_RCVBUF,
    XTCP_SK_MEMINFO_WMEM_ALLOC,
    XTCP_SK_MEMINFO_SNDBUF,
    XTCP_SK_MEMINFO_FWD_ALLOC,
    XTCP_SK_MEMINFO_WMEM_QUEUED,
    XTCP_SK_MEMINFO_OPTMEM,
    XTCP_SK_MEMINFO_BACKLOG,
    XTCP_SK_MEMINFO_DROPS,
    XTCP_SK_MEMINFO_VARS,
};

// MARK: - inet_diag (linux/inet_diag.h)

struct xtcp_inet_diag_sockid {
    uint16_t idiag_sport;   // network byte order
    uint16_t idiag_dport;   // network byte order
    uint32_t idiag_src[4];  // network byte order; AF_INET uses [0]
    uint32_t idiag_dst[4];
    uint32_t idiag_if;
    uint32_t idiag_cookie[2];
};

struct xtcp_inet_diag_req_v2 {
    uint8_t sdiag_family;
    uint8_t sdiag_protocol;
    uint8_t idiag_ext;
    uint8_t pad;
    uint32_t idiag_states;
    struct xtcp_inet_diag_sockid id;
};

struct xtcp_inet_diag_msg {
    uint8_t idiag_family;
    uint8_t idiag_state;
    uint8_t idiag_timer;
    uint8_t idiag_retrans;
    struct xtcp_inet_diag_sockid id;
    uint32_t idiag_expires;
    uint32_t idiag_rqueue;
    uint32_t idiag_wqueue;
    uint32_t idiag_uid;
    uint32_t idiag_inode;
};

// Attribute types of an inet_diag reply (enum { INET_DIAG_NONE, ... }).
enum {
    XTCP_INET_DIAG_NONE = 0,
    XTCP_INET_DIAG_MEMINFO = 1,
    XTCP_INET_DIAG_INFO = 2,
    XTCP_INET_DIAG_VEGASINFO = 3,
    XTCP_INET_DIAG_CONG = 4,
    XTCP_INET_DIAG_TOS = 5,
    XTCP_INET_DIAG_TCLASS = 6,
    XTCP_INET_DIAG_SKMEMINFO = 7,
    XTCP_INET_DIAG_SHUTDOWN = 8,
    XTCP_INET_DIAG_DCTCPINFO = 9,
    XTCP_INET_DIAG_PROTOCOL = 10,
    XTCP_INET_DIAG_SKV6ONLY = 11,
    XTCP_INET_DIAG_LOCALS = 12,
    XTCP_INET_DIAG_PEERS = 13,
    XTCP_INET_DIAG_PAD = 14,
    XTCP_INET_DIAG_MARK = 15,
    XTCP_INET_DIAG_BBRINFO = 16,
    XTCP_INET_DIAG_CLASS_ID = 17,
    XTCP_INET_DIAG_MD5SIG = 18,
    XTCP_INET_DIAG_ULP_INFO = 19,
    XTCP_INET_DIAG_SK_BPF_STORAGES = 20,
    XTCP_INET_DIAG_CGROUP_ID = 21,
    XTCP_INET_DIAG_SOCKOPT = 22,
    XTCP_INET_DIAG_MAX = 22,
};

// Request attribute: a bytecode filter (INET_DIAG_REQ_BYTECODE).
enum { XTCP_INET_DIAG_REQ_BYTECODE = 1 };

// struct inet_diag_bc_op: one bytecode instruction. After a test the program
// moves `yes` or `no` bytes forward; running off the end exactly accepts the
// socket, landing 4 bytes past it rejects. A port comparison is followed by
// a second op whose `no` holds the port.
struct xtcp_inet_diag_bc_op {
    uint8_t code;
    uint8_t yes;
    uint16_t no;
};

enum {
    XTCP_INET_DIAG_BC_NOP = 0,
    XTCP_INET_DIAG_BC_JMP = 1,
    XTCP_INET_DIAG_BC_S_GE = 2,
    XTCP_INET_DIAG_BC_S_LE = 3,
    XTCP_INET_DIAG_BC_D_GE = 4,
    XTCP_INET_DIAG_BC_D_LE = 5,
    XTCP_INET_DIAG_BC_AUTO = 6,
    XTCP_INET_DIAG_BC_S_COND = 7,
    XTCP_INET_DIAG_BC_D_COND = 8,
    XTCP_INET_DIAG_BC_DEV_COND = 9,
    XTCP_INET_DIAG_BC_MARK_COND = 10,
    XTCP_INET_DIAG_BC_S_EQ = 11,
    XTCP_INET_DIAG_BC_D_EQ = 12,
    XTCP_INET_DIAG_BC_CGROUP_COND = 13,
};

// struct inet_diag_hostcond: the operand of S_COND/D_COND, after its op. An
// address prefix (family AF_UNSPEC matches any socket, AF_INET also matches
// IPv4-mapped IPv6 sockets) and a port (-1: any), followed by the address
// (4 or 16 bytes, network byte order; none for AF_UNSPEC).
struct xtcp_inet_diag_hostcond {
    uint8_t family;
    uint8_t prefix_len;
    int32_t port;
};

struct xtcp_inet_diag_meminfo {
    uint32_t idiag_rmem;
    uint32_t idiag_wmem;
    uint32_t idiag_fmem;
    uint32_t idiag_tmem;
};

struct xtcp_tcpvegas_info {
    uint32_t tcpv_enabled;
    uint32_t tcpv_rttcnt;
    uint32_t tcpv_rtt;
    uint32_t tcpv_minrtt;
};

struct xtcp_tcp_dctcp_info {
    uint16_t dctcp_enabled;
    uint16_t dctcp_ce_state;
    uint32_t dctcp_alpha;
    uint32_t dctcp_ab_ecn;
    uint32_t dctcp_ab_tot;
};

struct xtcp_tcp_bbr_info {
    uint32_t bbr_bw_lo;       // lower 32 bits of bw
    uint32_t bbr_bw_hi;       // upper 32 bits of bw
    uint32_t bbr_min_rtt;     // min-filtered RTT in uSec
    uint32_t bbr_pacing_gain; // pacing gain shifted left 8 bits
    uint32_t bbr_cwnd_gain;   // cwnd gain shifted left 8 bits
};

// MARK: - TCP (linux/tcp.h, linux/net/tcp_states.h)

enum {
    XTCP_TCP_ESTABLISHED = 1,
    XTCP_TCP_SYN_SENT,
    XTCP_TCP_SYN_RECV,
    XTCP_TCP_FIN_WAIT1,
    XTCP_TCP_FIN_WAIT2,
    XTCP_TCP_TIME_WAIT,
    XTCP_TCP_CLOSE,
    XTCP_TCP_CLOSE_WAIT,
    XTCP_TCP_LAST_ACK,
    XTCP_TCP_LISTEN,
    XTCP_TCP_CLOSING,
    XTCP_TCP_NEW_SYN_RECV,
    XTCP_TCP_BOUND_INACTIVE,
    XTCP_TCP_MAX_STATES,
};

enum {
    XTCP_TCPI_OPT_TIMESTAMPS = 1,
    XTCP_TCPI_OPT_SACK = 2,
    XTCP_TCPI_OPT_WSCALE = 4,
    XTCP_TCPI_OPT_ECN = 8,
    XTCP_TCPI_OPT_ECN_SEEN = 16,
    XTCP_TCPI_OPT_SYN_DATA = 32,
    XTCP_TCPI_OPT_USEC_TS = 64,
    XTCP_TCPI_OPT_TFO_CHILD = 128,
};

// struct tcp_info as Linux 6.18 sends it: 280 bytes. Older kernels send a
// prefix (192 bytes on 4.15 ... 248 on 6.8); readers copy what came into a
// zeroed struct, as ss does.
struct xtcp_tcp_info {
    uint8_t tcpi_state;
    uint8_t tcpi_ca_state;
    uint8_t tcpi_retransmits;
    uint8_t tcpi_probes;
    uint8_t tcpi_backoff;
    uint8_t tcpi_options;
    uint8_t tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
    uint8_t tcpi_delivery_rate_app_limited : 1, tcpi_fastopen_client_fail : 2;

    uint32_t tcpi_rto;
    uint32_t tcpi_ato;
    uint32_t tcpi_snd_mss;
    uint32_t tcpi_rcv_mss;

    uint32_t tcpi_unacked;
    uint32_t tcpi_sacked;
    uint32_t tcpi_lost;
    uint32_t tcpi_retrans;
    uint32_t tcpi_fackets;

    uint32_t tcpi_last_data_sent;
    uint32_t tcpi_last_ack_sent;
    uint32_t tcpi_last_data_recv;
    uint32_t tcpi_last_ack_recv;

    uint32_t tcpi_pmtu;
    uint32_t tcpi_rcv_ssthresh;
    uint32_t tcpi_rtt;
    uint32_t tcpi_rttvar;
    uint32_t tcpi_snd_ssthresh;
    uint32_t tcpi_snd_cwnd;
    uint32_t tcpi_advmss;
    uint32_t tcpi_reordering;

    uint32_t tcpi_rcv_rtt;
    uint32_t tcpi_rcv_space;

    uint32_t tcpi_total_retrans;

    uint64_t tcpi_pacing_rate;
    uint64_t tcpi_max_pacing_rate;
    uint64_t tcpi_bytes_acked;
    uint64_t tcpi_bytes_received;
    uint32_t tcpi_segs_out;
    uint32_t tcpi_segs_in;

    uint32_t tcpi_notsent_bytes;
    uint32_t tcpi_min_rtt;
    uint32_t tcpi_data_segs_in;
    uint32_t tcpi_data_segs_out;

    uint64_t tcpi_delivery_rate;

    uint64_t tcpi_busy_time;
    uint64_t tcpi_rwnd_limited;
    uint64_t tcpi_sndbuf_limited;

    uint32_t tcpi_delivered;
    uint32_t tcpi_delivered_ce;

    uint64_t tcpi_bytes_sent;
    uint64_t tcpi_bytes_retrans;
    uint32_t tcpi_dsack_dups;
    uint32_t tcpi_reord_seen;

    uint32_t tcpi_rcv_ooopack;

    uint32_t tcpi_snd_wnd;
    uint32_t tcpi_rcv_wnd;

    uint32_t tcpi_rehash;

    uint16_t tcpi_total_rto;
    uint16_t tcpi_total_rto_recoveries;
    uint32_t tcpi_total_rto_time;

    // One word, two layouts of the same 280-byte struct; only the kernel
    // release tells which (Netlink's TCPInfoLayout reads it):
    //   6.18:  __u16 tcpi_accecn_fail_mode; __u16 tcpi_accecn_opt_seen;
    //   7.0 -: __u32 tcpi_ecn_mode:2, tcpi_accecn_opt_seen:2,
    //                tcpi_accecn_fail_mode:4, tcpi_options2:24;
    uint32_t tcpi_accecn_word;
    uint32_t tcpi_received_ce;
    uint32_t tcpi_delivered_e1_bytes;
    uint32_t tcpi_delivered_e0_bytes;
    uint32_t tcpi_delivered_ce_bytes;
    uint32_t tcpi_received_e1_bytes;
    uint32_t tcpi_received_e0_bytes;
    uint32_t tcpi_received_ce_bytes;
};

// tcp_info sizes by kernel, for tests and for the record's tcp_info_length.
enum {
    XTCP_TCP_INFO_LEN_4_15 = 192,
    XTCP_TCP_INFO_LEN_4_19 = 224,
    XTCP_TCP_INFO_LEN_5_4 = 232,
    XTCP_TCP_INFO_LEN_6_6 = 240,
    XTCP_TCP_INFO_LEN_6_8 = 248,
    XTCP_TCP_INFO_LEN_MAX = 280,
};

// MARK: - pcap (LINKTYPE_NETLINK captures, as ss/nlmon/xtcp2 write them)

enum {
    XTCP_PCAP_MAGIC_USEC = 0xa1b2c3d4,
    XTCP_PCAP_MAGIC_NSEC = 0xa1b23c4d,
    XTCP_LINKTYPE_NETLINK = 253,
    XTCP_PCAP_FILE_HEADER_LEN = 24,
    XTCP_PCAP_RECORD_HEADER_LEN = 16,
    XTCP_NETLINK_COOKED_HEADER_LEN = 16,
};

// MARK: - Multicast (linux/netlink.h, linux/socket.h)

enum {
    XTCP_SOL_NETLINK = 270,
    XTCP_NETLINK_ADD_MEMBERSHIP = 1,
    // asm-generic/socket.h: the SK_MEMINFO_* array of a socket's memory,
    // its drop count among them (Swift's glibc import lacks the name).
    XTCP_SO_MEMINFO = 55,
};

#endif
