#!/usr/bin/env python3
"""Creates and deletes network namespaces for SECONDS, up to CONCURRENT at
once, each with one listening socket, alternately bind-mounted under
/run/netns (`ip netns add`, deleted with `ip netns del`) and held only by a
process (unshare), each living a random 0.1 to 2.5 s. Prints one JSON line
per namespace when it is gone: name (bind-mounted ones), inode, and the
CLOCK_REALTIME nanoseconds of its creation and deletion, then a last line
`{"cycles": N, "failed_adds": F}` (`ip netns add` that failed and were skipped).

usage: netns_churn.py SECONDS CONCURRENT PREFIX
"""
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def holder(setup):
    """Forks a child that enters a namespace (setup), listens on one socket,
    reports the namespace's inode, and lives until killed."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            setup()
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", 7000))
            s.listen(1)
            os.write(w, str(os.stat("/proc/self/ns/net").st_ino).encode())
            os.close(w)
            time.sleep(3600)
        finally:
            os._exit(0)
    os.close(w)
    inode = int(os.read(r, 64) or b"0")
    os.close(r)
    return pid, inode


def enter(path):
    def setup():
        fd = os.open(path, os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    return setup


def unshare():
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare")


def main():
    # SIGTERM ends the run early, still through the summary line below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    seconds, concurrent, prefix = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    live = []  # (deadline, pid, name, inode, created)
    counts = {"cycles": 0, "failed_adds": 0}
    end = time.monotonic() + seconds
    try:
        churn(end, concurrent, prefix, live, counts)
    finally:
        for _, pid, name, _, _ in live:
            if name:
                subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
            os.kill(pid, signal.SIGKILL)
        print(json.dumps({"cycles": counts["cycles"], "failed_adds": counts["failed_adds"]}), flush=True)


def churn(end, concurrent, prefix, live, counts):
    """Creates and deletes namespaces until `end`, then waits for the live ones."""
    while time.monotonic() < end or live:
        now = time.monotonic()
        for entry in [e for e in live if e[0] <= now]:
            _, pid, name, inode, created = entry
            if name:
                subprocess.run(["ip", "netns", "del", name], check=True)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print(json.dumps({"name": name, "inode": inode, "created": created, "deleted": time.time_ns()}), flush=True)
            live.remove(entry)
        if time.monotonic() < end and len(live) < concurrent:
            lifetime = random.uniform(0.1, 2.5)
            if counts["cycles"] % 2 == 0:
                name = "%s-%d" % (prefix, counts["cycles"])
                # `ip netns add` can fail while another one (a test beside
                # this) sets up /run/netns: count it and go on.
                if subprocess.run(["ip", "netns", "add", name], stderr=subprocess.DEVNULL).returncode != 0:
                    counts["failed_adds"] += 1
                    counts["cycles"] += 1
                    time.sleep(0.05)
                    continue
                pid, inode = holder(enter("/run/netns/" + name))
            else:
                name = None
                pid, inode = holder(unshare)
            # Created once its socket listens (holder returns then): before,
            # a poll could find the namespace without the socket that makes
            # it seen, and a loaded machine (ip netns add, fork, setns and
            # bind taking a poll's length) failed the test.
            created = time.time_ns()
            live.append((time.monotonic() + lifetime, pid, name, inode, created))
            counts["cycles"] += 1
        else:
            time.sleep(0.01)


if __name__ == "__main__":
    main()
