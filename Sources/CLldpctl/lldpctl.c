#include "xtcp_lldpctl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The functions xtcp calls, as liblldpctl.so.4 exports them; typed by the
// declarations of the build's <lldpctl.h>, so a changed signature fails
// the build rather than the call.
static struct {
    __typeof__(&lldpctl_new_name) new_name;
    __typeof__(&lldpctl_release) release;
    __typeof__(&lldpctl_watch_callback2) watch_callback2;
    __typeof__(&lldpctl_watch) watch;
    __typeof__(&lldpctl_last_error) last_error;
    __typeof__(&lldpctl_strerror) strerror;
    __typeof__(&lldpctl_get_interfaces) get_interfaces;
    __typeof__(&lldpctl_get_port) get_port;
    __typeof__(&lldpctl_atom_get) atom_get;
    __typeof__(&lldpctl_atom_get_str) atom_get_str;
    __typeof__(&lldpctl_atom_dec_ref) atom_dec_ref;
    __typeof__(&lldpctl_atom_iter) atom_iter;
    __typeof__(&lldpctl_atom_iter_next) atom_iter_next;
    __typeof__(&lldpctl_atom_iter_value) atom_iter_value;
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = -1;
static char load_error[256] = "not loaded";

static void load(void) {
    void *handle = dlopen("liblldpctl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(load_error, sizeof load_error, "liblldpctl.so.4 (Debian's lldpd package) not found: %s", dlerror());
        return;
    }
#define FIND(field, symbol)                                                                              \
    if (!(*(void **)&lib.field = dlsym(handle, #symbol))) {                                             \
        snprintf(load_error, sizeof load_error, "liblldpctl.so.4 lacks %s", #symbol);                  \
        return;                                                                                          \
    }
    FIND(new_name, lldpctl_new_name)
    FIND(release, lldpctl_release)
    FIND(watch_callback2, lldpctl_watch_callback2)
    FIND(watch, lldpctl_watch)
    FIND(last_error, lldpctl_last_error)
    FIND(strerror, lldpctl_strerror)
    FIND(get_interfaces, lldpctl_get_interfaces)
    FIND(get_port, lldpctl_get_port)
    FIND(atom_get, lldpctl_atom_get)
    FIND(atom_get_str, lldpctl_atom_get_str)
    FIND(atom_dec_ref, lldpctl_atom_dec_ref)
    FIND(atom_iter, lldpctl_atom_iter)
    FIND(atom_iter_next, lldpctl_atom_iter_next)
    FIND(atom_iter_value, lldpctl_atom_iter_value)
#undef FIND
    loaded = 0;
}

int xtcp_lldpctl_load(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *xtcp_lldpctl_load_error(void) { return load_error; }

// Liblldpctl's own blocking transport on the unix socket (NULL callbacks).
lldpctl_conn_t *xtcp_lldpctl_new_name(const char *ctlname) { return lib.new_name(ctlname, NULL, NULL, NULL); }
int xtcp_lldpctl_release(lldpctl_conn_t *conn) { return lib.release(conn); }

static void ignore_change(lldpctl_change_t type, lldpctl_atom_t *interface, lldpctl_atom_t *neighbor, void *data) {
    (void)type, (void)interface, (void)neighbor, (void)data;
}

int xtcp_lldpctl_watch_changes(lldpctl_conn_t *conn) { return lib.watch_callback2(conn, ignore_change, NULL); }
int xtcp_lldpctl_watch(lldpctl_conn_t *conn) { return lib.watch(conn); }
const char *xtcp_lldpctl_last_strerror(lldpctl_conn_t *conn) { return lib.strerror(lib.last_error(conn)); }
int xtcp_lldpctl_failed(lldpctl_conn_t *conn) { return lib.last_error(conn) != LLDPCTL_NO_ERROR; }
lldpctl_atom_t *xtcp_lldpctl_get_interfaces(lldpctl_conn_t *conn) { return lib.get_interfaces(conn); }
lldpctl_atom_t *xtcp_lldpctl_get_port(lldpctl_atom_t *interface) { return lib.get_port(interface); }
lldpctl_atom_t *xtcp_lldpctl_atom_get(lldpctl_atom_t *atom, lldpctl_key_t key) { return lib.atom_get(atom, key); }
const char *xtcp_lldpctl_atom_get_str(lldpctl_atom_t *atom, lldpctl_key_t key) { return lib.atom_get_str(atom, key); }
void xtcp_lldpctl_atom_dec_ref(lldpctl_atom_t *atom) { lib.atom_dec_ref(atom); }
lldpctl_atom_iter_t *xtcp_lldpctl_atom_iter(lldpctl_atom_t *atom) { return lib.atom_iter(atom); }
lldpctl_atom_iter_t *xtcp_lldpctl_atom_iter_next(lldpctl_atom_t *atom, lldpctl_atom_iter_t *iter) { return lib.atom_iter_next(atom, iter); }
lldpctl_atom_t *xtcp_lldpctl_atom_iter_value(lldpctl_atom_t *atom, lldpctl_atom_iter_t *iter) { return lib.atom_iter_value(atom, iter); }
