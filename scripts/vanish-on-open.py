#!/usr/bin/env python3
"""vanish-on-open.py DIR KEEP: test helper for tests/integration/t_backup_changes.sh.
Watches the opens of DIR's files. When a process opens a regular file of DIR
other than KEEP for the first time, every other file of DIR except KEEP is
deleted at once (listed by a backup walk, gone when it is opened). When KEEP
is opened, it is cut to half its size (it changes while being read). Prints
READY once the watch is in place, one line per action, and exits after both.

The watch is a fanotify permission watch (FAN_OPEN_PERM): the opener waits
until this script has acted, so a backup that opens several files at once
cannot get past the deletion. An open that had already found its file before
the deletion (its permission event is queued behind the first one) is denied:
it fails with EPERM, a file the backup could not read, as one that is gone.
Without fanotify (no CAP_SYS_ADMIN, a kernel without permission events) it
falls back to inotify, which only learns of an open after it happened, and
says so: then a fast reader may have opened every file before the deletion.
A permission event names its file by a descriptor; the file is known by its
inode (DIR's files as they were at the start), not by the descriptor's path,
which for an opener in another mount namespace (Bacula 15's chrooted
bacula-fd) is a path in that namespace."""
import ctypes, os, stat, struct, sys

FAN_CLOEXEC, FAN_CLASS_CONTENT = 0x1, 0x4
FAN_MARK_ADD = 0x1
FAN_OPEN_PERM, FAN_EVENT_ON_CHILD = 0x00010000, 0x08000000
FAN_ALLOW, FAN_DENY = 0x1, 0x2
IN_OPEN, IN_ISDIR = 0x20, 0x40000000
AT_FDCWD = -100

libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
d = os.fsencode(os.path.abspath(sys.argv[1]))
keep = os.fsencode(sys.argv[2])
deleted = cut = False
gone = set()
by_inode = {}
for e in os.listdir(d):  # d is bytes: so are the names
    st = os.lstat(os.path.join(d, e))
    if stat.S_ISREG(st.st_mode):
        by_inode[(st.st_dev, st.st_ino)] = e


def opened(name):
    """Acts on the open of DIR/name; returns False when that open is to be refused."""
    global deleted, cut
    if name == keep:
        if not cut:
            kp = os.path.join(d, keep)
            os.truncate(kp, os.stat(kp).st_size // 2)
            cut = True
            print(f"opened {os.fsdecode(keep)}: cut to half", flush=True)
        return True
    if name in gone:
        print(f"denied {os.fsdecode(name)}: deleted while it was being opened", flush=True)
        return False
    if not deleted:
        names = [os.fsencode(e) for e in os.listdir(d)]
        for e in names:
            if e not in (name, keep):
                os.unlink(os.path.join(d, e))
                gone.add(e)
        deleted = True
        print(f"opened {os.fsdecode(name)}: deleted {len(gone)}", flush=True)
    return True


def with_fanotify():
    fd = libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY)
    if fd < 0:
        return "fanotify_init: " + os.strerror(ctypes.get_errno())
    if libc.fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_EVENT_ON_CHILD, AT_FDCWD, d) < 0:
        err = os.strerror(ctypes.get_errno())
        os.close(fd)
        return "fanotify_mark: " + err
    print("READY fanotify", flush=True)
    while not (deleted and cut):
        buf = os.read(fd, 65536)
        i = 0
        while i + 24 <= len(buf):
            event_len, _vers, _res, _mlen, _mask, efd, _pid = struct.unpack_from("IBBHQii", buf, i)
            i += event_len
            if efd < 0:
                continue
            allow = True
            try:
                st = os.fstat(efd)
                name = by_inode.get((st.st_dev, st.st_ino))
                if name is not None:
                    allow = opened(name)
            finally:
                os.write(fd, struct.pack("iI", efd, FAN_ALLOW if allow else FAN_DENY))
                os.close(efd)
    return None


def with_inotify():
    fd = libc.inotify_init()
    if fd < 0 or libc.inotify_add_watch(fd, d, IN_OPEN) < 0:
        sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
    print("READY inotify (an open is seen only after it happened)", flush=True)
    while not (deleted and cut):
        buf = os.read(fd, 65536)
        i = 0
        while i < len(buf):
            _wd, mask, _cookie, ln = struct.unpack_from("iIII", buf, i)
            name = buf[i + 16:i + 16 + ln].rstrip(b"\0")
            i += 16 + ln
            if name and not mask & IN_ISDIR:
                opened(name)


why = with_fanotify()
if why is not None:
    print(f"no permission watch ({why})", flush=True)
    with_inotify()
