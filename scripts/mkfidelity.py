#!/usr/bin/env python3
"""Generate a small "hostile" tree for restore-fidelity tests (docs/fidelity.md).

usage: mkfidelity.py [--no-sparse] [--no-hardlinks] [--sparse-gib N] OUT

Must run as root (device nodes, foreign owners, trusted.* xattrs). Creates, below OUT:
  meta/    xattrs (user., trusted., security.), POSIX ACLs (access + default),
           nanosecond atime/mtime on files, directories and symlinks
  modes/   setuid/setgid/sticky, numeric uid/gid without passwd entries, a
           symlink with its own owner, an empty directory, a zero-length file
  special/ fifo, char device (1,3), block device (7,200), a unix socket
           (sockets are skipped, like the stock FD does: verify with
           --allow-missing special/sock)
  sparse/  holes in the middle, at the start, at the end; one file of
           --sparse-gib GiB apparent size with 1 MiB of data (unless --no-sparse)
  links/   one inode with three names (unless --no-hardlinks)
  names/   invalid UTF-8, newline, tab, backslash, ';', ':', '*', leading '-',
           a 255-byte component, and a path of about 4000 bytes
Names are bytes throughout; the generator is deterministic.
"""
import argparse
import os
import socket
import subprocess
import sys

NS = [123456789, 987654321, 1, 999999999, 500000000]


def write(path, data=b"", mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def times(path, i, follow=False):
    a = (1_000_000_000 + i * 7919) * 10**9 + NS[i % len(NS)]
    m = (1_100_000_000 + i * 104729) * 10**9 + NS[(i + 2) % len(NS)]
    os.utime(path, ns=(a, m), follow_symlinks=follow)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--no-sparse", action="store_true")
    ap.add_argument("--no-hardlinks", action="store_true")
    ap.add_argument("--sparse-gib", type=int, default=10)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("mkfidelity.py: must run as root")
    out = os.fsencode(os.path.abspath(a.out))
    os.makedirs(out)
    J = lambda *p: os.path.join(out, *[os.fsencode(x) if isinstance(x, str) else x for x in p])
    dirs_to_time = []

    # ---- meta
    os.mkdir(J("meta"))
    write(J("meta", "xattrs"), b"xattrs\n")
    os.setxattr(J("meta", "xattrs"), b"user.plain", b"value")
    os.setxattr(J("meta", "xattrs"), b"user.bin\xff\n", b"\x00\xff\x00\n")
    os.setxattr(J("meta", "xattrs"), b"user.empty", b"")
    os.setxattr(J("meta", "xattrs"), b"trusted.t", b"trusted-value")
    os.setxattr(J("meta", "xattrs"), b"security.phpc", b"sec")
    write(J("meta", "acl"), b"acl\n", 0o640)
    subprocess.run(["setfacl", "-m", "u:1234:rwx,g:55:r", os.fsdecode(J("meta", "acl"))], check=True)
    os.mkdir(J("meta", "acldir"))
    subprocess.run(["setfacl", "-m", "u:5:rwx", "-d", "-m", "u:99:rx,g:7:r", os.fsdecode(J("meta", "acldir"))],
                   check=True)
    write(J("meta", "acldir", "inherited"), b"i\n")      # gets the default ACL as its access ACL
    os.setxattr(J("meta", "acldir"), b"user.dir", b"on a directory")
    write(J("meta", "empty-with-xattr"), b"")
    os.setxattr(J("meta", "empty-with-xattr"), b"user.e", b"e")
    for i, n in enumerate(["xattrs", "acl", "acldir/inherited", "empty-with-xattr"]):
        times(J("meta", n), i)
    dirs_to_time += [J("meta", "acldir"), J("meta")]

    # ---- modes
    os.mkdir(J("modes"))
    write(J("modes", "setuid"), b"#!/bin/sh\n", 0o4755)
    os.chown(J("modes", "setuid"), 54321, 54322)
    os.chmod(J("modes", "setuid"), 0o4755)             # chown cleared it
    write(J("modes", "setgid"), b"g\n", 0o2750)
    os.chown(J("modes", "setgid"), 0, 777)
    os.chmod(J("modes", "setgid"), 0o2750)
    os.mkdir(J("modes", "sticky"))
    os.chmod(J("modes", "sticky"), 0o1777)
    os.mkdir(J("modes", "setgid-dir"))
    os.chown(J("modes", "setgid-dir"), 4000, 4001)
    os.chmod(J("modes", "setgid-dir"), 0o2775)
    os.mkdir(J("modes", "empty-dir"))
    write(J("modes", "zero"), b"", 0o600)
    write(J("modes", "odd-perms"), b"p", 0o7)
    os.symlink(b"setuid", J("modes", "symlink-owned"))
    os.lchown(J("modes", "symlink-owned"), 4242, 4343)
    for i, n in enumerate(["setuid", "setgid", "zero", "odd-perms"]):
        times(J("modes", n), 10 + i)
    times(J("modes", "symlink-owned"), 20)
    dirs_to_time += [J("modes", "sticky"), J("modes", "setgid-dir"), J("modes", "empty-dir"), J("modes")]

    # ---- special
    os.mkdir(J("special"))
    os.mkfifo(J("special", "fifo"), 0o640)
    os.mknod(J("special", "null-like"), 0o620 | 0o020000, os.makedev(1, 3))
    os.mknod(J("special", "blockdev"), 0o660 | 0o060000, os.makedev(7, 200))
    os.chown(J("special", "blockdev"), 0, 6)
    s = socket.socket(socket.AF_UNIX)
    s.bind(J("special", "sock"))
    s.close()
    for i, n in enumerate(["fifo", "null-like", "blockdev"]):
        times(J("special", n), 30 + i)
    dirs_to_time.append(J("special"))

    # ---- sparse
    if not a.no_sparse:
        os.mkdir(J("sparse"))
        mib = 1 << 20
        with open(J("sparse", "middle-hole"), "wb") as f:
            f.write(b"A" * mib)
            f.seek(9 * mib)
            f.write(b"B" * mib)
        with open(J("sparse", "leading-hole"), "wb") as f:
            f.seek(5 * mib)
            f.write(b"C" * 4096)
        with open(J("sparse", "trailing-hole"), "wb") as f:
            f.write(b"D" * 8192)
            f.truncate(7 * mib)
        with open(J("sparse", "all-hole"), "wb") as f:
            f.truncate(3 * mib)
        with open(J("sparse", "huge"), "wb") as f:
            f.seek(a.sparse_gib * 1024 * mib // 2)
            f.write(bytes(range(256)) * 4096)            # 1 MiB of data
            f.truncate(a.sparse_gib * 1024 * mib)
        for i, n in enumerate(["middle-hole", "leading-hole", "trailing-hole", "all-hole", "huge"]):
            times(J("sparse", n), 40 + i)
        dirs_to_time.append(J("sparse"))

    # ---- hard links
    if not a.no_hardlinks:
        os.mkdir(J("links"))
        os.mkdir(J("links", "sub"))
        write(J("links", "first"), b"one inode, three names\n")
        os.link(J("links", "first"), J("links", "second"))
        os.link(J("links", "first"), J("links", "sub", "third"))
        times(J("links", "first"), 50)
        dirs_to_time += [J("links", "sub"), J("links")]

    # ---- names
    os.mkdir(J("names"))
    odd = [b"bad-utf8-\xff\xfe", b"latin1-caf\xe9", b"new\nline", b"tab\there", b"back\\slash",
           b"semi;colon", b"co:lon", b"star*", b"-leading-dash", b"--", b" space ", b"quote'\"",
           b"utf8-\xc3\xa9\xe2\x82\xac", b"ctl-\x01\x1f\x7f", b"x" * 255]
    for i, n in enumerate(odd):
        write(os.path.join(J("names"), n), n + b"\n")
        times(os.path.join(J("names"), n), 60 + i)
    os.mkdir(os.path.join(J("names"), b"dir-\xff\n"))
    os.symlink(b"target-\xff\n;*", os.path.join(J("names"), b"dir-\xff\n", b"link-\xfe"))
    deep = J("names", "deep")
    os.mkdir(deep)
    # a path of about 4000 bytes (PATH_MAX 4096 incl. NUL; leave room for a restore where= prefix)
    cur = deep
    while len(cur) + 202 + 255 < 3950:
        cur = os.path.join(cur, b"d" * 200 + b"\xff")
        os.mkdir(cur)
    write(os.path.join(cur, b"f" * min(255, 3950 - len(cur) - 1)), b"deep\n")
    dirs_to_time.append(J("names"))

    for i, d in enumerate(dirs_to_time):            # after their contents
        times(d, 100 + i)
    print(f"mkfidelity: {os.fsdecode(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
