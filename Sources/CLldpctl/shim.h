// lldpd's own client library (Debian's liblldpctl-dev): the neighbours
// lldpd has heard on each interface, and its change notifications.
#include <lldpctl.h>
