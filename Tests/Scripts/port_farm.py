#!/usr/bin/env python3
"""Connections over a spread of ports, run inside a network namespace, for
tests of port-based dump sharding. On 127.0.0.1 and ::1: listeners on low
and high ports; to each, PER_LISTENER clients from ephemeral ports and
PER_LISTENER clients bound to low ports. Prints "ready" and holds
everything until stdin closes.

With "spread", one more client per listener, bound to a fixed port from
SPREAD_PORTS. The kernel picks the ephemeral ports for one destination
close together, from a start hashed with a secret drawn at boot that moves
on a little with each connection, so the ephemeral clients of ten listeners
are ten clusters, in nearly the same places run after run, and can all miss
a stretch of the range for hours (one CI run found 40960-49151 empty; with
ten clusters about 3 % of the time would). These place sockets in every
stretch that dump sharding cuts.

usage: port_farm.py PER_LISTENER [spread]
"""
import socket
import sys

import farmlib

LISTEN_PORTS = (80, 443, 5000, 20000, 32767, 32768, 40000, 50000, 65000, 65535)
# One per listener, 3,200 apart across the ephemeral range (32768-65535).
SPREAD_PORTS = tuple(33000 + 3200 * k for k in range(len(LISTEN_PORTS)))


def main():
    per = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    spread = sys.argv[2:] == ["spread"]
    keep = []
    low_client_port = 1000
    families = ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
    # Every listener first: a client's ephemeral port could otherwise take
    # a listener's port (40000, 50000, ...) before it is bound.
    listeners = []
    for family, host in families:
        for port in LISTEN_PORTS:
            lst = farmlib.listener(host, port)
            keep.append(lst)
            listeners.append((family, host, port, lst))
    # Fixed ports before ephemeral ones: connect() skips ports bound by
    # bind(), so no ephemeral client can take one first.
    clients = []
    for index, (family, host, port, lst) in enumerate(listeners):
        if spread:
            clients.append((family, host, port, lst, SPREAD_PORTS[index % len(SPREAD_PORTS)]))
    for family, host, port, lst in listeners:
        for i in range(2 * per):
            # Odd ones on a low port: placed by their peer's port.
            clients.append((family, host, port, lst, low_client_port if i % 2 else None))
            low_client_port += i % 2
    for family, host, port, lst, bound in clients:
        keep += farmlib.pair(lst, bind=None if bound is None else (host, bound))
    farmlib.hold(len(keep))


if __name__ == "__main__":
    main()
