#!/usr/bin/env python3
"""Deterministic synthetic file-tree generator (podheitor-hpc test harness).

Layout (defaults):
  * N regular files (distinct inodes), ~PER_DIR files per leaf directory
    (uniformly 50%..150% of PER_DIR), directories nested 3 levels deep,
    every 7th leaf directory one level deeper (4 levels).
  * sizes: 3% empty, the rest uniform 1..8192 bytes; plus BIG files of
    1..64 MiB (default 3 for N<=20k, 5 for N<=200k, 10 above).
  * content: slices at random offsets of a 64 MiB random buffer (no two
    files are expected to share content; compression is irrelevant here).
  * metadata: modes drawn from {644,600,640,755,444}, ~10% of entries owned
    by uid/gid 1000 or 65534, random mtimes within the last ~3 years with a
    non-zero nanosecond part (Bacula restores whole seconds).
  * extras (not counted in N): SYMLINKS symlinks (relative, absolute, one to
    a directory, one dangling), HARDLINKS extra names for existing files
    (some in another directory, one file with 3 names), a few names with
    spaces / quotes / UTF-8.
  * --odd-bytes: a directory "odd/" whose names are not plain text: a byte
    0xff (not UTF-8), a newline, a tab, a backslash, a ';', a leading space,
    a directory with such a name (with a file inside) and symlinks with such
    names and targets.
  * directory mtimes are set last, bottom-up, so they are stable.

Prints a JSON summary on stdout.  Re-running with the same arguments into a
non-existing directory produces the same tree (seeded RNG).
"""
import argparse
import json
import os
import random
import sys
import time

MIB = 1024 * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="target directory (must not exist, unless --force)")
    ap.add_argument("-n", "--files", type=int, required=True,
                    help="number of regular files (distinct inodes)")
    ap.add_argument("--per-dir", type=int, default=100)
    ap.add_argument("--depth", type=int, default=3, help="base directory depth (default 3)")
    ap.add_argument("--big", type=int, default=None, help="number of 1..64 MiB files")
    ap.add_argument("--big-max-mib", type=int, default=64)
    ap.add_argument("--max-small", type=int, default=8192)
    ap.add_argument("--symlinks", type=int, default=None)
    ap.add_argument("--hardlinks", type=int, default=None)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-chown", action="store_true", help="do not vary uid/gid")
    ap.add_argument("--force", action="store_true", help="allow an existing (empty) out dir")
    ap.add_argument("--odd-bytes", action="store_true",
                    help="add odd/ with non-UTF-8, newline, tab, backslash and ';' names")
    a = ap.parse_args()

    n = a.files
    if a.big is None:
        a.big = 3 if n <= 20000 else (5 if n <= 200000 else 10)
    if a.symlinks is None:
        a.symlinks = 10 + n // 10000
    if a.hardlinks is None:
        a.hardlinks = 10 + n // 10000

    out = os.path.abspath(a.out)
    if os.path.exists(out):
        if not a.force or os.listdir(out):
            sys.exit(f"mktree: {out} exists (use a new path, or --force on an empty dir)")
    os.makedirs(out, exist_ok=True)

    rng = random.Random(a.seed)
    t0 = time.time()
    buf = rng.randbytes(64 * MIB + a.max_small)
    is_root = os.geteuid() == 0 and not a.no_chown

    # ---- directory layout -------------------------------------------------
    nleaf = max(1, (n + a.per_dir - 1) // a.per_dir)
    fan = 1
    while fan ** a.depth < nleaf:
        fan += 1
    leaves = []
    dirs = {out}
    for i in range(nleaf):
        parts = []
        x = i
        for _ in range(a.depth):
            parts.append("d%02d" % (x % fan))
            x //= fan
        parts.reverse()
        if i % 7 == 3:                      # some branches one level deeper
            parts.append("deep%d" % (i % 3))
        p = os.path.join(out, *parts)
        leaves.append(p)
    for p in leaves:
        os.makedirs(p, exist_ok=True)
        q = p
        while q != out and q not in dirs:
            dirs.add(q)
            q = os.path.dirname(q)

    # how many files in each leaf: 50%..150% of per_dir, then fix the total
    counts = [rng.randint(a.per_dir // 2, a.per_dir + a.per_dir // 2) for _ in leaves]
    tot = sum(counts)
    counts = [max(0, c * n // tot) for c in counts]
    i = 0
    while sum(counts) < n:
        counts[i % len(counts)] += 1
        i += 1

    modes = [0o644] * 6 + [0o600, 0o640, 0o755, 0o444]
    owners = [(1000, 1000), (65534, 65534)]
    now = int(time.time())
    three_years = 3 * 365 * 86400

    def meta(path, fd=None, is_dir=False):
        if is_root and rng.random() < 0.10:
            uid, gid = rng.choice(owners)
            if fd is not None:
                os.fchown(fd, uid, gid)
            else:
                os.lchown(path, uid, gid)

    def rand_mtime():
        s = now - rng.randint(3600, three_years)
        return s * 1_000_000_000 + rng.randint(1, 999_999_999)

    files = []          # all regular file paths
    total_bytes = 0
    odd_names = ["with space.txt", "quote'single.txt", 'quote"double.txt',
                 "ünïcödé-файл-文件.txt", "-leading-dash.txt"]
    odd_i = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for li, (leaf, cnt) in enumerate(zip(leaves, counts)):
        for j in range(cnt):
            if li % max(1, len(leaves) // len(odd_names)) == 0 and j == 0 and odd_i < len(odd_names):
                name = odd_names[odd_i]
                odd_i += 1
            else:
                name = "f%05d.dat" % j
            p = os.path.join(leaf, name)
            if rng.random() < 0.03:
                size = 0
            else:
                size = rng.randint(1, a.max_small)
            fd = os.open(p, flags, 0o600)
            if size:
                off = rng.randrange(0, 64 * MIB)
                os.write(fd, buf[off:off + size])
            os.fchmod(fd, rng.choice(modes))
            meta(p, fd)
            os.utime(fd, ns=(rand_mtime(), rand_mtime()))
            os.close(fd)
            files.append(p)
            total_bytes += size

    # big files: replace the content of some existing small files' siblings
    big_sizes = []
    bigdir = os.path.join(out, "big")
    os.makedirs(bigdir, exist_ok=True)
    dirs.add(bigdir)
    for k in range(a.big):
        size = rng.randint(1 * MIB, a.big_max_mib * MIB)
        p = os.path.join(bigdir, "big%02d.bin" % k)
        fd = os.open(p, flags, 0o644)
        left = size
        while left:
            chunk = min(left, 8 * MIB)
            off = rng.randrange(0, 64 * MIB - chunk + 1)
            os.write(fd, buf[off:off + chunk])
            left -= chunk
        os.utime(fd, ns=(rand_mtime(), rand_mtime()))
        os.close(fd)
        big_sizes.append(size)
        total_bytes += size
    nbig = a.big

    # symlinks
    links = os.path.join(out, "links")
    os.makedirs(links, exist_ok=True)
    dirs.add(links)
    nsym = 0
    for k in range(a.symlinks):
        p = os.path.join(links, "sym%04d" % k)
        if k == 0:
            target = "/nonexistent/dangling/target"
        elif k == 1:
            target = os.path.relpath(leaves[0], links)          # to a directory
        elif k % 2:
            target = rng.choice(files)                           # absolute
        else:
            target = os.path.relpath(rng.choice(files), links)   # relative
        os.symlink(target, p)
        if is_root and k % 5 == 0:
            os.lchown(p, 1000, 1000)
        os.utime(p, ns=(rand_mtime(), rand_mtime()), follow_symlinks=False)
        nsym += 1

    # hardlinks: extra names for existing regular files
    nhard = 0
    for k in range(a.hardlinks):
        src = files[rng.randrange(len(files))]
        if k % 3 == 0:
            dst = os.path.join(links, "hard%04d" % k)            # other directory
        else:
            dst = os.path.join(os.path.dirname(src), "hl%04d.lnk" % k)  # same directory
        os.link(src, dst)
        nhard += 1
        if k == 0:                                              # one file with 3 names
            os.link(src, os.path.join(links, "hard%04d-b" % k))
            nhard += 1

    # names that are not plain text (bytes paths)
    nodd = 0
    if a.odd_bytes:
        odd = os.path.join(out, "odd")
        os.makedirs(odd, exist_ok=True)
        dirs.add(odd)
        bodd = os.fsencode(odd)
        names = [b"byte-\xff-not-utf8", b"new\nline", b"tab\there", b"back\\slash",
                 b"semi;colon", b" leading space", b"mix\xfe\n\t\\;end", b"latin1-caf\xe9"]
        for k, nm in enumerate(names):
            p = os.path.join(bodd, nm)
            fd = os.open(p, flags, 0o640)
            os.write(fd, b"odd name %d: " % k + nm + b"\n")
            if is_root and k % 2:
                os.fchown(fd, 1000, 1000)
            os.utime(fd, ns=(rand_mtime(), rand_mtime()))
            os.close(fd)
            nodd += 1
        sub = os.path.join(bodd, b"dir\xff;\nsub")
        os.makedirs(sub)
        dirs.add(os.fsdecode(sub))
        fd = os.open(os.path.join(sub, b"inner\\\xff.txt"), flags, 0o644)
        os.write(fd, b"inner\n")
        os.utime(fd, ns=(rand_mtime(), rand_mtime()))
        os.close(fd)
        nodd += 2
        for k, (nm, tgt) in enumerate([(b"sym\xff", b"byte-\xff-not-utf8"),
                                       (b"sym\nnl", b"/nonexistent/\xff\n;"),
                                       (b"sym;dir", b"dir\xff;\nsub")]):
            p = os.path.join(bodd, nm)
            os.symlink(tgt, p)
            os.utime(p, ns=(rand_mtime(), rand_mtime()), follow_symlinks=False)
            nodd += 1

    # directory metadata last, deepest first
    for d in sorted(dirs, key=lambda s: s.count("/"), reverse=True):
        if d != out:
            os.chmod(d, 0o750 if rng.random() < 0.1 else 0o755)
        os.utime(d, ns=(rand_mtime(), rand_mtime()))

    summary = {
        "path": out, "files": len(files) + nbig, "small_files": len(files),
        "big_files": nbig, "big_bytes": sum(big_sizes), "dirs": len(dirs),
        "symlinks": nsym, "hardlink_extra_names": nhard, "odd_entries": nodd,
        "bytes": total_bytes, "leaf_dirs": nleaf, "fanout": fan,
        "seconds": round(time.time() - t0, 1), "seed": a.seed,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
