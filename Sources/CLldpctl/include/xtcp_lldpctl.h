// lldpd's own client library (Debian's liblldpctl-dev at build time), loaded
// at run time: Debian ships liblldpctl.so.4 inside the lldpd package, so
// linking it would make installing xtcp install (and start) lldpd on every
// host. Where lldpd runs, its library is there; elsewhere the LLDP columns
// stay empty. Each xtcp_lldpctl_* forwards to the lldpctl_* of the same name.
#pragma once
#include <lldpctl.h>

// 0 once liblldpctl.so.4 and every function used are found; -1 if not (then
// xtcp_lldpctl_load_error says why). Loads once; safe from any thread.
int xtcp_lldpctl_load(void);
const char *xtcp_lldpctl_load_error(void);

lldpctl_conn_t *xtcp_lldpctl_new_name(const char *ctlname);
int xtcp_lldpctl_release(lldpctl_conn_t *conn);
// Watches with a callback that does nothing: lldpctl_watch returning is
// the notification.
int xtcp_lldpctl_watch_changes(lldpctl_conn_t *conn);
int xtcp_lldpctl_watch(lldpctl_conn_t *conn);
const char *xtcp_lldpctl_last_strerror(lldpctl_conn_t *conn);
int xtcp_lldpctl_failed(lldpctl_conn_t *conn);
lldpctl_atom_t *xtcp_lldpctl_get_interfaces(lldpctl_conn_t *conn);
lldpctl_atom_t *xtcp_lldpctl_get_port(lldpctl_atom_t *interface);
lldpctl_atom_t *xtcp_lldpctl_atom_get(lldpctl_atom_t *atom, lldpctl_key_t key);
const char *xtcp_lldpctl_atom_get_str(lldpctl_atom_t *atom, lldpctl_key_t key);
void xtcp_lldpctl_atom_dec_ref(lldpctl_atom_t *atom);
lldpctl_atom_iter_t *xtcp_lldpctl_atom_iter(lldpctl_atom_t *atom);
lldpctl_atom_iter_t *xtcp_lldpctl_atom_iter_next(lldpctl_atom_t *atom, lldpctl_atom_iter_t *iter);
lldpctl_atom_t *xtcp_lldpctl_atom_iter_value(lldpctl_atom_t *atom, lldpctl_atom_iter_t *iter);
