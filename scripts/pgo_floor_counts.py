#!/usr/bin/env python3
"""Raises every zero counter of one raw LLVM profile (.profraw, version 10)
to 1, in place.

Why: Swift 6.3.1's SIL ColdBlockInfo divides a branch's successor counts by
their sum. When the training never ran either side (code a run does not
reach: error paths, help text), that is 0/0, a NaN, and swift-frontend
aborts with `takenProbability >= 0` (ColdBlockInfo.cpp:266). Later
compilers skip such branches. Merged with the unpatched profiles of the
same binary, every counter is then at least 1: the sum is never zero, and a
count of 1 next to the trained paths' thousands still reads as cold.

(llvm-profdata's text format cannot carry the fix: its reader takes Swift's
`$s…` function names for MC/DC bitmap lines and rejects its own output.)

    pgo_floor_counts.py FILE.profraw
"""
import struct
import sys

HEADER = struct.Struct("<16Q")
MAGIC = 0xFF6C70726F667281
DATA_RECORD_BYTES = 64  # __llvm_profile_data in version 10


def floor_counts(path):
    with open(path, "r+b") as profile:
        raw = bytearray(profile.read())
        (magic, version, binary_ids, data_count, pad_before, counter_count,
         *_rest) = HEADER.unpack_from(raw, 0)
        if magic != MAGIC or version != 10:
            sys.exit(f"{path}: not a version 10 raw profile (magic {magic:#x}, version {version})")
        start = HEADER.size + binary_ids + data_count * DATA_RECORD_BYTES + pad_before
        raised = 0
        for offset in range(start, start + counter_count * 8, 8):
            if struct.unpack_from("<Q", raw, offset)[0] == 0:
                struct.pack_into("<Q", raw, offset, 1)
                raised += 1
        profile.seek(0)
        profile.write(raw)
    print(f"{path}: {raised} of {counter_count} counters raised from 0 to 1")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        floor_counts(name)
