#!/usr/bin/env python3
"""Compare a restored tree with its source (byte-exact names).

usage: verify.py SRC DEST [--xattrs] [--no-mtime] [--ns-times] [--blocks]
                 [--show N] [-j N]
                 [--allow-extra REL]... [--allow-missing REL]...

DEST may be either the restored copy of SRC itself or the restore 'where'
directory (Bacula recreates the absolute source path below it): if DEST/SRC
exists it is used.

All paths are handled as bytes (os.fsencode), so names that are not valid
UTF-8 (e.g. byte 0xff), or that contain newlines, tabs or backslashes, are
compared exactly. Names in messages are printed with Python bytes escapes.

Checked for every entry (SRC root included, not walked across symlinks):
  presence (missing/extra), type (file/dir/symlink/fifo/...), content MD5 of
  regular files, size, permission bits, uid, gid, mtime (whole seconds --
  Bacula stores seconds), symlink target (bytes), hardlink structure (the
  partition of names into inodes must be identical), device numbers (rdev) of
  char/block devices, optionally xattrs (incl. POSIX ACLs, which Linux exposes
  as system.posix_acl_* xattrs).
--ns-times: mtimes in nanoseconds, and atimes in nanoseconds for everything
  but directories and symlinks (reading those during the backup changes their
  atime). All stats are taken before any file is read for hashing.
--blocks: a restored regular file must not allocate more 512-byte blocks than
  its source (holes stay holes), with a slack of 8 blocks per file.

--allow-extra REL / --allow-missing REL (repeatable; REL relative to SRC/DEST,
matches REL and everything below it): such entries are counted separately
(allowed_extra=, allowed_missing=) and do not make the verification fail.

Prints one summary line on stdout; details of the first --show mismatches on
stderr. Exit status 0 when everything matches, 1 otherwise.
"""
import argparse
import hashlib
import os
import stat
import sys
from concurrent.futures import ThreadPoolExecutor

CATS = ["missing", "extra", "type", "content", "size", "mode", "uid", "gid",
        "mtime", "atime", "rdev", "blocks", "symlink", "hardlink", "xattr", "error"]
DOT = b"."


def kind(m):
    if stat.S_ISREG(m):
        return "file"
    if stat.S_ISDIR(m):
        return "dir"
    if stat.S_ISLNK(m):
        return "symlink"
    if stat.S_ISFIFO(m):
        return "fifo"
    if stat.S_ISSOCK(m):
        return "socket"
    if stat.S_ISCHR(m):
        return "chardev"
    if stat.S_ISBLK(m):
        return "blockdev"
    return "other"


def show(rel):
    """printable form of a bytes relative path"""
    r = repr(rel)
    return r[2:-1] if r.startswith(("b'", 'b"')) else r


def join(root, rel):
    return root if rel == DOT else os.path.join(root, rel)


def walk(root):
    """yield (relpath bytes, lstat) for root and everything below (no symlink follow)."""
    st = os.lstat(root)
    yield DOT, st
    stack = [b""]
    while stack:
        rel = stack.pop()
        d = os.path.join(root, rel) if rel else root
        try:
            it = os.scandir(d)
        except OSError as e:
            print(f"verify: cannot read {show(d)}: {e}", file=sys.stderr)
            continue
        with it:
            for e in it:
                r = os.path.join(rel, e.name) if rel else e.name
                s = e.stat(follow_symlinks=False)
                yield r, s
                if stat.S_ISDIR(s.st_mode):
                    stack.append(r)


def md5(path):
    h = hashlib.md5(usedforsecurity=False)
    try:    # O_NOATIME (owner or root): hashing must not change the atimes compared by --ns-times
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)
    with open(fd, "rb", buffering=0) as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return None
    out = {}
    for n in sorted(names):
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            out[n] = None
    return out


def under(rel, prefixes):
    for p in prefixes:
        if rel == p or rel.startswith(p + b"/"):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dest")
    ap.add_argument("--xattrs", action="store_true", help="also compare xattrs/ACLs")
    ap.add_argument("--no-mtime", action="store_true", help="do not compare mtimes")
    ap.add_argument("--ns-times", action="store_true", help="compare mtime/atime in nanoseconds")
    ap.add_argument("--blocks", action="store_true", help="restored files allocate no more blocks")
    ap.add_argument("--show", type=int, default=10, help="mismatch details to print")
    ap.add_argument("-j", "--jobs", type=int, default=4, help="hashing threads")
    ap.add_argument("--allow-extra", action="append", default=[], metavar="REL",
                    help="extra entries at/below REL are tolerated (reported)")
    ap.add_argument("--allow-missing", action="append", default=[], metavar="REL",
                    help="missing entries at/below REL are tolerated (reported)")
    a = ap.parse_args()

    src = os.path.abspath(os.fsencode(a.src))
    dest = os.path.abspath(os.fsencode(a.dest))
    allow_extra = [os.fsencode(p).strip(b"/") for p in a.allow_extra]
    allow_missing = [os.fsencode(p).strip(b"/") for p in a.allow_missing]
    cand = os.path.join(dest, src.lstrip(b"/"))
    if os.path.lexists(cand) and cand != src:
        dest = cand
    if not os.path.lexists(src):
        sys.exit(f"verify: no such SRC {show(src)}")
    if not os.path.lexists(dest):
        sys.exit(f"verify: no such DEST {show(dest)}")

    S = dict(walk(src))
    D = dict(walk(dest))
    bad = {c: 0 for c in CATS}
    allowed = {"extra": 0, "missing": 0}
    shown = [0]

    def report(cat, rel, msg=""):
        bad[cat] += 1
        if shown[0] < a.show:
            shown[0] += 1
            print(f"verify: {cat}: {show(rel)} {msg}", file=sys.stderr)

    for rel in sorted(S.keys() - D.keys()):
        if under(rel, allow_missing):
            allowed["missing"] += 1
        else:
            report("missing", rel)
    for rel in sorted(D.keys() - S.keys()):
        if under(rel, allow_extra):
            allowed["extra"] += 1
        else:
            report("extra", rel)

    common = sorted(S.keys() & D.keys())
    to_hash = []
    counts = {"file": 0, "dir": 0, "symlink": 0, "other": 0}
    nbytes = 0
    for rel in common:
        s, d = S[rel], D[rel]
        ks, kd = kind(s.st_mode), kind(d.st_mode)
        counts[ks if ks in counts else "other"] += 1
        if ks != kd:
            report("type", rel, f"{ks} != {kd}")
            continue
        if stat.S_IMODE(s.st_mode) != stat.S_IMODE(d.st_mode):
            report("mode", rel, f"{oct(stat.S_IMODE(s.st_mode))} != {oct(stat.S_IMODE(d.st_mode))}")
        if s.st_uid != d.st_uid:
            report("uid", rel, f"{s.st_uid} != {d.st_uid}")
        if s.st_gid != d.st_gid:
            report("gid", rel, f"{s.st_gid} != {d.st_gid}")
        if a.ns_times and not a.no_mtime:
            if s.st_mtime_ns != d.st_mtime_ns:
                report("mtime", rel, f"{s.st_mtime_ns} != {d.st_mtime_ns} ns ({ks})")
            if ks not in ("dir", "symlink") and s.st_atime_ns != d.st_atime_ns:
                report("atime", rel, f"{s.st_atime_ns} != {d.st_atime_ns} ns ({ks})")
        elif not a.no_mtime and int(s.st_mtime) != int(d.st_mtime):
            report("mtime", rel, f"{int(s.st_mtime)} != {int(d.st_mtime)} ({ks})")
        if ks in ("chardev", "blockdev") and s.st_rdev != d.st_rdev:
            report("rdev", rel, f"{os.major(s.st_rdev)},{os.minor(s.st_rdev)} != "
                   f"{os.major(d.st_rdev)},{os.minor(d.st_rdev)}")
        if a.blocks and ks == "file" and d.st_blocks > s.st_blocks + 8:
            report("blocks", rel, f"{d.st_blocks} blocks restored, source has {s.st_blocks}")
        if ks == "symlink":
            ts = os.readlink(join(src, rel))
            td = os.readlink(join(dest, rel))
            if ts != td:
                report("symlink", rel, f"{ts!r} != {td!r}")
        elif ks == "file":
            nbytes += s.st_size
            if s.st_size != d.st_size:
                report("size", rel, f"{s.st_size} != {d.st_size}")
            else:
                to_hash.append(rel)
        if a.xattrs:
            xs = xattrs(join(src, rel))
            xd = xattrs(join(dest, rel))
            if xs != xd:
                report("xattr", rel, f"{sorted(xs or {})} != {sorted(xd or {})}")

    # hardlinks: group names by inode on each side, compare the partitions
    def groups(M, keys):
        g = {}
        for rel in keys:
            st = M[rel]
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                g.setdefault((st.st_dev, st.st_ino), []).append(rel)
        return {tuple(sorted(v)) for v in g.values() if len(v) > 1}
    gs, gd = groups(S, common), groups(D, common)
    for grp in sorted(gs - gd):
        report("hardlink", grp[0], f"source names {[show(x) for x in grp]} are not one inode in DEST")
    for grp in sorted(gd - gs):
        report("hardlink", grp[0], f"DEST names {[show(x) for x in grp]} share an inode, source ones do not")

    # content: hash each inode once per side
    seen = set()
    uniq = []
    for rel in to_hash:
        k = (S[rel].st_dev, S[rel].st_ino)
        if k not in seen:
            seen.add(k)
            uniq.append(rel)

    def cmp(rel):
        try:
            return rel, md5(join(src, rel)) == md5(join(dest, rel)), None
        except OSError as e:
            return rel, False, str(e)
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        for rel, ok, err in ex.map(cmp, uniq, chunksize=64):
            if err:
                report("error", rel, err)
            elif not ok:
                report("content", rel, "md5 differs")

    total = sum(bad.values())
    mism = " ".join(f"{c}={bad[c]}" for c in CATS
                    if (c != "xattr" or a.xattrs) and (c != "atime" or a.ns_times) and (c != "blocks" or a.blocks))
    extra = ""
    if allow_extra or allow_missing:
        extra = f" allowed_extra={allowed['extra']} allowed_missing={allowed['missing']}"
    print(f"verify: {'OK' if total == 0 else 'FAIL'} src={show(src)} dest={show(dest)} "
          f"entries={len(S)} files={counts['file']} dirs={counts['dir']} "
          f"symlinks={counts['symlink']} hardlink_groups={len(gs)} "
          f"bytes={nbytes} hashed={len(uniq)} | {mism}{extra}")
    sys.exit(0 if total == 0 else 1)


if __name__ == "__main__":
    main()
