#!/usr/bin/env python3
"""A fake BeeGFS 7.x `beegfs-ctl` for the tests of mode=beegfs (docs/changelog.md §6), over a local tree.

    beegfs-ctl --listtargets --nodetype=meta [--state]
    beegfs-ctl --getentryinfo [--verbose] PATH

Prints the 7.x formats the project reads: the target table (header, '=' underline, right-aligned rows) and the
entry info (`Entry type:`, `EntryID:`, `Metadata node: NAME [ID: N]` or, mirrored, `Metadata buddy group: G` and
`Current primary metadata node: NAME [ID: N]`, then the stripe pattern lines). The real tool's error texts are not
copied: a missing path is a message on stderr and exit 1.

Environment:
  FAKE_BEEGFS_TARGETS   the metadata targets, "ID:NAME:REACHABILITY:CONSISTENCY,..." (node id = target id);
                        default "1:meta01:Online:Good,2:meta02:Online:Good"
  FAKE_BEEGFS_OWNERS    a file of "NAME ID" lines: the owner of a directory by its last component; a name not in
                        it (or no file) is owned by the target at crc32(name) modulo the number of targets
  FAKE_BEEGFS_MIRRORED  1: print the buddy-group form of the owner
  FAKE_BEEGFS_FAIL      "listtargets" or "getentryinfo": that command fails (exit 1)
  FAKE_BEEGFS_LOG       a file: each call's arguments are appended as one line
"""
import os
import stat
import sys
import zlib

DEFAULT_TARGETS = "1:meta01:Online:Good,2:meta02:Online:Good"


def targets():
    out = []
    for part in os.environ.get("FAKE_BEEGFS_TARGETS", DEFAULT_TARGETS).split(","):
        tid, name, reach, cons = part.split(":")
        out.append((int(tid), name, reach, cons))
    return out


def list_targets(with_state):
    ts = targets()
    if with_state:
        print("TargetID     Reachability  Consistency   NodeID")
        print("========     ============  ===========   ======")
        for tid, _, reach, cons in ts:
            print("%8d %16s %12s %8d" % (tid, reach, cons, tid))
    else:
        print("TargetID   NodeID")
        print("========   ======")
        for tid, _, _, _ in ts:
            print("%8d %8d" % (tid, tid))


def owner(path):
    ts = targets()
    name = os.path.basename(os.path.normpath(path)) or "/"
    table = os.environ.get("FAKE_BEEGFS_OWNERS")
    if table:
        with open(table, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == name:
                    for t in ts:
                        if t[0] == int(parts[1]):
                            return t
    return ts[zlib.crc32(os.fsencode(name)) % len(ts)]


def entry_info(path, verbose):
    try:
        st = os.lstat(path)
    except OSError as e:
        sys.stderr.write("Path does not exist or is not on BeeGFS: %s (%s)\n" % (path, e.strerror))
        sys.exit(1)
    tid, name, _, _ = owner(path)
    kind = "directory" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "symlink"
    print("Entry type: " + kind)
    print("EntryID: %X-%08X-%d" % (st.st_ino & 0xFFFF, int(st.st_mtime) & 0xFFFFFFFF, tid))
    if verbose and kind == "directory":
        print("ParentID: root")
    if os.environ.get("FAKE_BEEGFS_MIRRORED") == "1":
        print("Metadata buddy group: %d" % tid)
        print("Current primary metadata node: %s [ID: %d]" % (name, tid))
    else:
        print("Metadata node: %s [ID: %d]" % (name, tid))
    print("Stripe pattern details:")
    print("+ Type: RAID0")
    print("+ Chunksize: 512K")
    print("+ Number of storage targets: desired: 4" + ("" if kind == "directory" else "; actual: 4"))
    if kind == "directory":
        print("+ Storage Pool: 1 (Default)")
    else:
        print("+ Storage targets:")
        print("  + 101 @ storage01 [ID: 1]")
    if verbose:
        print("Dentry path: 38/51/root/")


def main(argv):
    log = os.environ.get("FAKE_BEEGFS_LOG")
    if log:
        with open(log, "a", encoding="utf-8", errors="surrogateescape") as f:
            f.write(" ".join(argv) + "\n")
    fail = os.environ.get("FAKE_BEEGFS_FAIL", "")
    if "--listtargets" in argv:
        if fail == "listtargets":
            sys.stderr.write("Communication with management node failed\n")
            return 1
        if "--nodetype=meta" not in argv:
            sys.stderr.write("fake beegfs-ctl: only --nodetype=meta is known\n")
            return 2
        list_targets("--state" in argv)
        return 0
    if "--getentryinfo" in argv:
        if fail == "getentryinfo":
            sys.stderr.write("Communication with metadata node failed\n")
            return 1
        paths = [a for a in argv if not a.startswith("--")]
        if len(paths) != 1:
            sys.stderr.write("fake beegfs-ctl: --getentryinfo needs one path\n")
            return 2
        entry_info(paths[0], "--verbose" in argv)
        return 0
    sys.stderr.write("fake beegfs-ctl: unknown mode: %s\n" % " ".join(argv))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
