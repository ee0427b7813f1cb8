"""What the socket farms of Tests/Scripts share: listeners, connected pairs
(both ends held by the farm), the file limit raised for large farms,
entering a namespace, and the farm protocol the tests speak: "ready [N]"
on stdout once every socket is open, commands on stdin, everything held
until stdin closes.
"""
import ctypes
import resource
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
TCP_CONGESTION = getattr(socket, "TCP_CONGESTION", 13)
_libc = ctypes.CDLL(None, use_errno=True)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def raise_file_limit():
    """The soft RLIMIT_NOFILE up to the hard one (20,000 here): a farm
    process may then hold that many sockets."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def listener(host, port=0, backlog=1024, reuse=True, family=None):
    """A listening TCP socket on HOST:PORT (PORT 0: any)."""
    s = socket.socket(family or family_of(host), socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(backlog)
    return s


def pair(lst, host=None, port=None, bind=None, congestion=None):
    """A connection to listener LST (at HOST:PORT, by default where it
    listens), optionally from the address BIND and with a congestion
    control: (client, server)."""
    address = lst.getsockname()
    host = host or address[0]
    port = port or address[1]
    client = socket.socket(lst.family, socket.SOCK_STREAM)
    if congestion:
        client.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, congestion.encode())
    if bind is not None:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        client.bind(bind)
    client.connect((host, port))
    server, _ = lst.accept()
    if congestion:
        server.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, congestion.encode())
    return client, server


TCP_FIN_WAIT2 = 5


def half_close(clients, timeout=5.0):
    """shutdown(SHUT_WR) on each client, then waits until each is in
    FIN-WAIT-2: it gets there only once the peer's ACK of its FIN has been
    processed, and a farm that said "ready" before that would let a dump
    see FIN-WAIT-1 instead."""
    for c in clients:
        c.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + timeout
    for c in clients:
        # tcpi_state is tcp_info's first byte.
        while c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != TCP_FIN_WAIT2:
            if time.monotonic() > deadline:
                sys.exit("farm: a half-closed client never reached FIN-WAIT-2")
            time.sleep(0.001)


def many_pairs(lst, host, port, count, batch=1000):
    """COUNT connections to LST at HOST:PORT, connected in non-blocking
    batches (fast for tens of thousands): the list of every end."""
    ends = []
    for start in range(0, count, batch):
        clients = []
        for _ in range(min(batch, count - start)):
            c = socket.socket(family_of(host), socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect((host, port))
            except BlockingIOError:
                pass
            clients.append(c)
        for _ in clients:
            s, _ = lst.accept()
            ends.append(s)
        ends += clients
    return ends


def setns(fd):
    """Moves the calling thread into the network namespace open as FD."""
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def ready(count=None):
    """Says every socket is open: "ready", or "ready N" (N sockets)."""
    print("ready" if count is None else "ready %d" % count, flush=True)


def hold(count=None):
    """Says ready and holds everything until stdin closes."""
    ready(count)
    sys.stdin.read()


def serve(commands):
    """Runs stdin's lines as commands until it closes: the first word names
    a handler of COMMANDS, called with the rest of the words."""
    for line in sys.stdin:
        words = line.split()
        if words and words[0] in commands:
            commands[words[0]](*words[1:])
