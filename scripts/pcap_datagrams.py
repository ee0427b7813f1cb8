#!/usr/bin/env python3
"""Writes every NETLINK_SOCK_DIAG datagram of the LINKTYPE_NETLINK pcaps
under DIR into OUT, one file each (named by content hash, so reruns add
nothing twice): the fuzzers' seed corpus.

usage: pcap_datagrams.py DIR OUT
"""
import hashlib
import os
import struct
import sys

COOKED_HEADER = 16  # LINKTYPE_NETLINK: the 16-byte cooked header before the datagram


def datagrams(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        return
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 253:  # LINKTYPE_NETLINK
        return
    offset = 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        packet = data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        if len(packet) < COOKED_HEADER:
            continue
        protocol = struct.unpack(">H", packet[14:16])[0]
        if protocol == 4:  # NETLINK_SOCK_DIAG
            yield packet[COOKED_HEADER:]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    count = 0
    for directory, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".pcap"):
                continue
            for datagram in datagrams(os.path.join(directory, name)):
                digest = hashlib.sha1(datagram).hexdigest()
                with open(os.path.join(out, digest), "wb") as f:
                    f.write(datagram)
                count += 1
    print(f"{count} datagrams from {root} in {out}")


if __name__ == "__main__":
    main()
