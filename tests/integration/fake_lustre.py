#!/usr/bin/env python3
"""A scripted Lustre MDT for the integration tests: applies each operation to a real local tree and appends the
record lfs would print to the fake lfs/lctl's state (hpc-changelog/src/test/c/fake_changelog.c, the same state
format as the unit tests' ScriptedLustre; docs/changelog.md §4).

    fake_lustre.py STATE init MOUNT FSNAME [SCAN]
                                             every entry already under MOUNT gets a FID; an empty MDT0000 log; with
                                             SCAN (the backing directory of a latencyfs view of it) the operations
                                             and fid2path go to SCAN, paths are still printed under MOUNT
    fake_lustre.py STATE create REL [TEXT]   01CREAT
    fake_lustre.py STATE mkdir REL           02MKDIR
    fake_lustre.py STATE symlink REL TARGET  04SLINK
    fake_lustre.py STATE link EXISTING REL   03HLINK
    fake_lustre.py STATE write REL TEXT      append; 11CLOSE of the file
    fake_lustre.py STATE chmod REL OCTAL     14SATTR
    fake_lustre.py STATE unlink REL          06UNLNK (last link) or 07RMDIR
    fake_lustre.py STATE rename FROM TO      08RENME with s= and sp= (a directory moves with its subtree)
    fake_lustre.py STATE zero                11CLOSE with the zero FID [0:0x0:0x0] (seen on real MDTs)
    fake_lustre.py STATE gc CONSUMER         the MDS garbage-collects CONSUMER: it is deregistered and every record
                                             so far is purged
    fake_lustre.py STATE churn DIR ROUND N   N changes under REL directory DIR (benchmarks): round R makes DIR/rR
                                             with 0.6 N new files and changes files of round R-1: 0.1 N appended to,
                                             0.1 N chmod'ed, 0.1 N renamed, 0.1 N removed (round 0: 1.0 N new files)
    fake_lustre.py STATE repeat REL N        N 11CLOSE records of the existing file REL (a file written N times)
    fake_lustre.py STATE flood DIR N         N 11CLOSE records cycling over the files directly in REL directory DIR
    fake_lustre.py STATE last                the last record number

REL paths are relative to MOUNT and taken as bytes (any byte but NUL and '/'-splitting works). FIDs are handed out
in order and never reused; the root has Lustre's root FID [0x200000007:0x1:0x0].
"""
import os
import sys
import time

ROOT_FID = (0x200000007, 1, 0)
SEQ = 0x200000401
OPEN = []  # every Mdt of this run, closed (registry written) at the end
TYPES = {"CREAT": 1, "MKDIR": 2, "HLINK": 3, "SLINK": 4, "UNLNK": 6, "RMDIR": 7, "RENME": 8, "CLOSE": 11,
         "SATTR": 14}


def fid_text(f):
    seq, oid, ver = f
    return "[%s:0x%x:0x%x]" % ("0" if seq == 0 else "0x%x" % seq, oid, ver)


class Mdt:
    def __init__(self, state):
        self.state = state
        self.mount = self.read("mount")
        try:
            self.tree = self.read("scan")
        except FileNotFoundError:
            self.tree = self.mount
        self.fsname = self.read("fsname").decode()
        self.mdt = self.fsname + "-MDT0000"
        self.fids = {}  # inode -> fid
        self.dirty = False
        self._last = None
        self._oid = None
        self._log = None
        OPEN.append(self)
        try:
            with open(os.path.join(state, b"fids"), "rb") as f:
                for line in f:
                    seq, oid, ver, ino = line.split()
                    self.fids[int(ino)] = (int(seq, 16), int(oid, 16), int(ver, 16))
        except FileNotFoundError:
            pass

    def read(self, name):
        with open(os.path.join(self.state, name.encode() if isinstance(name, str) else name), "rb") as f:
            return f.read()

    def path(self, rel):
        return os.path.join(self.tree, rel)

    def fid_of(self, path):
        if os.path.realpath(path) == os.path.realpath(self.tree):
            return ROOT_FID
        return self.fids[os.lstat(path).st_ino]

    def new_fid(self, path):
        if self._oid is None:
            try:
                with open(os.path.join(self.state, b"next_oid"), "rb") as f:
                    self._oid = int(f.read())
            except FileNotFoundError:
                self._oid = 0x100
        fid = (SEQ, self._oid, 0)
        self._oid += 1
        self.fids[os.lstat(path).st_ino] = fid
        self.dirty = True
        return fid

    def forget(self, ino):
        self.fids.pop(ino, None)
        self.dirty = True

    def close(self):
        """Writes the FID registry and the FID counter once, at the end of the run."""
        if self._log is not None:
            self._log.close()
        if self._oid is not None:
            with open(os.path.join(self.state, b"next_oid"), "wb") as f:
                f.write(b"%d" % self._oid)
        if self.dirty:
            self.save()

    def save(self):
        tmp = os.path.join(self.state, b"fids.tmp")
        with open(tmp, "wb") as f:
            for ino, (seq, oid, ver) in sorted(self.fids.items()):
                f.write(b"%x %x %x %d\n" % (seq, oid, ver, ino))
        os.rename(tmp, os.path.join(self.state, b"fids"))

    def last(self):
        if self._last is not None:
            return self._last
        log = self.read(self.mdt + ".log")
        last = 0
        for rec in log.split(b"\0"):
            if rec:
                last = max(last, int(rec.split(b" ", 1)[0]))
        try:
            last = max(last, int(self.read(self.mdt + ".purged").strip() or b"0"))
        except FileNotFoundError:
            pass
        self._last = last
        return last

    def record(self, kind, flags, target, parent=None, name=None, src=None, src_parent=None, src_name=None):
        now = time.time()
        t = time.gmtime(now)
        ns = int((now % 1) * 1e9)
        line = ("%d %02d%-5s %02d:%02d:%02d.%09d %04d.%02d.%02d 0x%x t=%s ef=0xf u=0:0 nid=0@lo" % (
            self.last() + 1, TYPES[kind], kind, t.tm_hour, t.tm_min, t.tm_sec, ns, t.tm_year, t.tm_mon, t.tm_mday,
            flags, fid_text(target))).encode()
        if parent is not None:
            line += b" p=" + fid_text(parent).encode()
        if name is not None:
            line += b" " + name
        if src is not None:
            line += b" s=" + fid_text(src).encode() + b" sp=" + fid_text(src_parent).encode() + b" " + src_name
        if self._log is None:
            self._log = open(os.path.join(self.state, (self.mdt + ".log").encode()), "ab")
        self._log.write(line + b"\0")
        self._last = self.last() + 1


def churn(m, base, rnd, n):
    top = m.path(base)
    if not os.path.isdir(top):
        os.mkdir(top)
        m.record("MKDIR", 0, m.new_fid(top), m.fid_of(os.path.dirname(top)), os.path.basename(top))
    here = os.path.join(top, b"r%d" % rnd)
    os.mkdir(here)
    m.record("MKDIR", 0, m.new_fid(here), m.fid_of(top), os.path.basename(here))
    new = n if rnd == 0 else n * 6 // 10
    for i in range(new):
        p = os.path.join(here, b"f%06d" % i)
        with open(p, "xb") as f:
            f.write(b"round %d file %d\n" % (rnd, i))
        m.record("CREAT", 0, m.new_fid(p), m.fid_of(here), os.path.basename(p))
    if rnd == 0:
        return 0
    prev = os.path.join(top, b"r%d" % (rnd - 1))
    names = sorted(x for x in os.listdir(prev) if x.startswith(b"f"))
    k = n // 10
    for p in (os.path.join(prev, x) for x in names[0:k]):
        with open(p, "ab") as f:
            f.write(b"more\n")
        m.record("CLOSE", 0x242, m.fid_of(p))
    for p in (os.path.join(prev, x) for x in names[k:2 * k]):
        os.chmod(p, 0o600)
        m.record("SATTR", 0, m.fid_of(p))
    for x in names[2 * k:3 * k]:
        p, to = os.path.join(prev, x), os.path.join(prev, b"moved " + x)
        fid = m.fid_of(p)
        os.rename(p, to)
        m.record("RENME", 0, (0, 0, 0), m.fid_of(prev), os.path.basename(to), fid, m.fid_of(prev), x)
    for p in (os.path.join(prev, x) for x in names[3 * k:4 * k]):
        fid, ino = m.fid_of(p), os.lstat(p).st_ino
        os.unlink(p)
        m.forget(ino)
        m.record("UNLNK", 1, fid, m.fid_of(prev), os.path.basename(p))
    return 0


def split(path):
    d, n = os.path.split(path)
    return d, n


def main(argv):
    state, op, args = os.fsencode(argv[1]), argv[2], [os.fsencode(a) for a in argv[3:]]
    if op == "init":
        mount, fsname = os.path.realpath(args[0]), args[1]
        os.makedirs(state, exist_ok=True)
        with open(os.path.join(state, b"mount"), "wb") as f:
            f.write(mount)
        with open(os.path.join(state, b"fsname"), "wb") as f:
            f.write(fsname)
        with open(os.path.join(state, fsname + b"-MDT0000.log"), "wb"):
            pass
        tree = mount
        if len(args) > 2:
            tree = os.path.realpath(args[2])
            with open(os.path.join(state, b"scan"), "wb") as f:
                f.write(tree)
        m = Mdt(state)
        for d, dirs, files in os.walk(tree):
            for n in dirs + files:
                p = os.path.join(d, n)
                if os.lstat(p).st_ino not in m.fids:
                    m.new_fid(p)
        return 0
    m = Mdt(state)
    if op == "last":
        print(m.last())
        return 0
    if op == "churn":
        return churn(m, args[0], int(args[1]), int(args[2]))
    if op == "repeat":
        fid = m.fid_of(m.path(args[0]))
        for _ in range(int(args[1])):
            m.record("CLOSE", 0x242, fid)
        return 0
    if op == "flood":
        d = m.path(args[0])
        fids = [m.fid_of(os.path.join(d, x)) for x in sorted(os.listdir(d)) if os.path.isfile(os.path.join(d, x))]
        for i in range(int(args[1])):
            m.record("CLOSE", 0x242, fids[i % len(fids)])
        return 0
    if op == "zero":
        m.record("CLOSE", 0x242, (0, 0, 0))
        return 0
    if op == "gc":
        users = os.path.join(state, (m.mdt + ".users").encode())
        with open(users, "rb") as f:
            kept = [l for l in f.read().splitlines(True) if not l.startswith(args[0] + b" ")]
        with open(users, "wb") as f:
            f.writelines(kept)
        with open(os.path.join(state, (m.mdt + ".purged").encode()), "wb") as f:
            f.write(b"%d\n" % m.last())
        return 0
    p = m.path(args[0])
    d, n = split(p)
    if op == "create":
        with open(p, "xb") as f:
            f.write(args[1] if len(args) > 1 else b"")
        m.record("CREAT", 0, m.new_fid(p), m.fid_of(d), n)
    elif op == "mkdir":
        os.mkdir(p)
        m.record("MKDIR", 0, m.new_fid(p), m.fid_of(d), n)
    elif op == "symlink":
        os.symlink(args[1], p)
        m.record("SLINK", 0, m.new_fid(p), m.fid_of(d), n)
    elif op == "link":
        to = m.path(args[1])
        os.link(p, to)
        td, tn = split(to)
        m.record("HLINK", 0, m.fid_of(p), m.fid_of(td), tn)
    elif op == "write":
        with open(p, "ab") as f:
            f.write(args[1])
        m.record("CLOSE", 0x242, m.fid_of(p))
    elif op == "chmod":
        os.chmod(p, int(args[1], 8))
        m.record("SATTR", 0, m.fid_of(p))
    elif op == "unlink":
        st = os.lstat(p)
        fid, parent = m.fid_of(p), m.fid_of(d)
        if os.path.isdir(p) and not os.path.islink(p):
            os.rmdir(p)
            m.forget(st.st_ino)
            m.record("RMDIR", 1, fid, parent, n)
        else:
            os.unlink(p)
            last = st.st_nlink == 1
            if last:
                m.forget(st.st_ino)
            m.record("UNLNK", 1 if last else 0, fid, parent, n)
    elif op == "rename":
        to = m.path(args[1])
        td, tn = split(to)
        fid, sp = m.fid_of(p), m.fid_of(d)
        over = (0, 0, 0)
        if os.path.lexists(to):
            over = m.fid_of(to)
            m.forget(os.lstat(to).st_ino)
        os.rename(p, to)
        m.record("RENME", 0, over, m.fid_of(td), tn, fid, sp, n)
    else:
        print("fake_lustre.py: unknown operation " + op, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    rc = main(sys.argv)
    for mdt in OPEN:
        mdt.close()
    sys.exit(rc)
