#!/usr/bin/env python3
"""vanish-on-open.py DIR KEEP: test helper for tests/integration/t_backup_changes.sh.
Watches DIR with inotify (IN_OPEN). When a process opens a regular file of DIR
other than KEEP for the first time, every other file of DIR except KEEP is
deleted at once (listed by a backup walk, gone when it is opened). When KEEP
is opened, it is cut to half its size (it changes while being read). Prints
READY once the watch is in place, one line per action, and exits after both."""
import ctypes, os, struct, sys

IN_OPEN = 0x20
IN_ISDIR = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
d = os.fsencode(sys.argv[1])
keep = os.fsencode(sys.argv[2])
fd = libc.inotify_init()
if fd < 0 or libc.inotify_add_watch(fd, d, IN_OPEN) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
print("READY", flush=True)
deleted = cut = False
while not (deleted and cut):
    buf = os.read(fd, 65536)
    i = 0
    while i < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + ln].rstrip(b"\0")
        i += 16 + ln
        if not name or mask & IN_ISDIR:
            continue
        if name == keep and not cut:
            kp = os.path.join(d, keep)
            os.truncate(kp, os.stat(kp).st_size // 2)
            cut = True
            print(f"opened {os.fsdecode(keep)}: cut to half", flush=True)
        elif name != keep and not deleted:
            gone = [e for e in os.listdir(d) if e not in (name, keep)]
            for e in gone:
                os.unlink(os.path.join(d, e))
            deleted = True
            print(f"opened {os.fsdecode(name)}: deleted {len(gone)}", flush=True)
