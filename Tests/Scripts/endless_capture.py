#!/usr/bin/env python3
"""Writes a pcap's header and then its records again and again, without
end, to stdout: a capture of no end (a pipe from a live nlmon), for a
reader that must hold only what it works on. Stops when stdout closes;
every 10 MB written, says so on stderr.

usage: endless_capture.py FILE.pcap
"""
import sys

data = open(sys.argv[1], "rb").read()
header, records = data[:24], data[24:]
out = sys.stdout.buffer
written = 0
try:
    out.write(header)
    while True:
        out.write(records)
        written += len(records)
        if written // 10_000_000 != (written - len(records)) // 10_000_000:
            print(f"{written // 1_000_000} MB", file=sys.stderr, flush=True)
except (BrokenPipeError, OSError):
    pass
