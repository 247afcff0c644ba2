#!/usr/bin/env python3
"""vanish-on-open.py DIR KEEP: wait (inotify IN_OPEN) until some process opens a
regular file in DIR, then delete every other file in DIR at once except KEEP,
change KEEP's size (cut to half if it is the opened one, else append 1 MiB),
print what was done and exit. Test helper (tests/integration/t_backup_changes.sh): the
files listed by a backup walk but not yet opened vanish deterministically.
Prints READY on stdout once the watch is in place."""
import ctypes, os, struct, sys

IN_OPEN = 0x20
IN_ISDIR = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1]
fd = libc.inotify_init()
if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(d), IN_OPEN) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
print("READY", flush=True)
while True:
    buf = os.read(fd, 65536)
    i = 0
    while i < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + ln].rstrip(b"\0")
        i += 16 + ln
        if name and not mask & IN_ISDIR:
            n = 0
            keep = os.fsencode(sys.argv[2])
            for e in os.listdir(os.fsencode(d)):
                if e != name and e != keep:
                    os.unlink(os.path.join(os.fsencode(d), e))
                    n += 1
            kp = os.path.join(os.fsencode(d), keep)
            if name == keep:
                os.truncate(kp, os.stat(kp).st_size // 2)
                what = "cut to half"
            else:
                with open(kp, "ab") as f:
                    f.write(b"A" * (1 << 20))
                what = "appended 1 MiB"
            print(f"opened {os.fsdecode(name)}; deleted {n}; {sys.argv[2]} {what}", flush=True)
            sys.exit(0)
