#!/usr/bin/env python3
"""Writes the inode-hash test vectors (docs/sharding.md §2) with the reference xxHash library (libxxhash.so.0,
XXH3_64bits_withSeed), independently of the Java code that hpc-shard's InodeHashVectorsTest checks against them.

  scripts/gen-shard-vectors.py > hpc-shard/src/test/resources/io/podheitor/hpc/shard/inode-hash-vectors.tsv

SPDX-License-Identifier: AGPL-3.0-or-later
"""
import ctypes
import ctypes.util
import random
import struct
import sys

SEED = 0x7068706373687264  # ASCII "phpcshrd", big-endian

lib = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
lib.XXH3_64bits_withSeed.restype = ctypes.c_uint64
lib.XXH3_64bits_withSeed.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]


def h(ino, dev):
    data = struct.pack("<QQ", ino & (2**64 - 1), dev & (2**64 - 1))
    return lib.XXH3_64bits_withSeed(data, len(data), SEED)


def main():
    rnd = random.Random(12)
    inos = [0, 1, 2, 3, 11, 12, 128, 4096, 131073, 2**31 - 1, 2**32, 2**32 + 1, 2**53 + 7, 2**63 - 1, 2**63,
            2**64 - 1, 144115188193296385]  # the last: a Lustre-style flattened FID
    inos += [rnd.getrandbits(64) for _ in range(16)] + [rnd.randrange(1, 50_000_000) for _ in range(16)]
    devs = [0, 0, 0, 2049, 0x2c]
    ns = [1, 2, 3, 4, 7, 16, 100, 4096]
    out = sys.stdout
    out.write("# inode-hash test vectors: XXH3-64(seed 0x7068706373687264, LE64(ino) || LE64(dev)), "
              "shard = hash mod N (unsigned)\n")
    out.write("# written by scripts/gen-shard-vectors.py with the reference libxxhash; checked by InodeHashVectorsTest\n")
    out.write("# ino\tdev\thash\tN\tshard\n")
    for i, ino in enumerate(inos):
        dev = devs[i % len(devs)]
        v = h(ino, dev)
        for n in ns:
            out.write(f"{ino}\t{dev}\t{v:016x}\t{n}\t{v % n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
