#!/usr/bin/env python3
"""Drives one PTCOMM restore session against bin/podheitor-hpc-backend (no Bacula), like the shim does for the
FD's createFile calls: a synthetic tree of directories, each with one empty file, sent in backup order (a
directory after its contents), then FINISH (directory attributes), END and T.

  scripts/restore-session.py [--backend CMD] [--dirs N] [--fanout K] [--files-per-dir F] [--heap] [--pipeline]
                             [--threads N] DEST

DEST is the restore's where= (created; it must not exist or be empty). The tree is DEST/<i // K>/<i % K>/f<j> for
i < N and j < F (default 1 empty file per directory), plus the N // K (+1) parent directories. Prints on stdout: dirs, files, records, create_s (records until
FINISH), finish_s (FINISH until its F), total_s, backend_cpu_s (user + system CPU of the backend),
backend_peak_rss_kB (VmHWM read just before T) and the number
of E replies (C FAILED with --pipeline); with --pipeline the session asks for the pipelined restore of
docs/ptcomm.md §5.1 (Job line Pipeline=1, plugin key restore_threads=--threads): no reply is awaited, a reader
thread collects the backend's output; with --heap also the heap in use after a full GC at the end (jcmd GC.run + GC.heap_info of the JDK that
runs the backend: the live set, independent of how far the JVM let its heap grow); exit status 1 on a protocol
error or when the backend answered E. Used to show that the memory
of a restore stays flat with the number of directories (docs/security.md, STRESS_RESULTS.md).
"""
import argparse, os, subprocess, sys, threading, time


def frame(letter, payload=b""):
    return letter.encode() + b"%06d\n" % len(payload) + payload


def read_exact(f, n):
    b = bytearray()
    while len(b) < n:
        c = f.read(n - len(b))
        if not c:
            break
        b += c
    return bytes(b)


def read_frame(f):
    h = read_exact(f, 8)
    if len(h) < 8 or h[7:8] != b"\n":
        raise SystemExit(f"restore-session: bad or missing header {h!r}")
    return chr(h[0]), read_exact(f, int(h[1:7]))


def record(kind, mode, name):
    # FILE <type> <mode> <uid> <gid> <size> <atime> <mtime> <ctime> <ino> <dev> <nlink> <rdev> <blocks> <flags> <linkid>
    head = b"FILE %s %o 1000 1000 0 1600000000 1600000000 1600000000 1 1 1 0 0 0 0" % (kind, mode)
    return head + b"\n" + name + b"\0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("--dirs", type=int, default=200000)
    ap.add_argument("--fanout", type=int, default=1000)
    ap.add_argument("--heap", action="store_true")
    ap.add_argument("--files-per-dir", type=int, default=1)
    ap.add_argument("--pipeline", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--backend", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin",
                                                      "podheitor-hpc-backend"))
    a = ap.parse_args()
    dest = os.path.abspath(a.dest)
    os.makedirs(dest, exist_ok=True)
    if os.listdir(dest):
        raise SystemExit(f"restore-session: {dest} is not empty")
    src = b"/synthetic"  # the backed-up names; the restore prefixes where=
    t0 = time.perf_counter()
    p = subprocess.Popen([a.backend], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, bufsize=0)
    w, r = p.stdin, p.stdout
    w.write(frame("C", b"Hello podheitor-hpc 1"))
    if read_frame(r) != ("C", b"Hello Bacula 1"):
        raise SystemExit("restore-session: unexpected Hello reply")
    job = [b"Job", b"Name=restore-session-py", b"JobID=1", b"Type=R", b"Replace=a", b"Where=" + os.fsencode(dest),
           b"FDVersion=14"] + ([b"Pipeline=1"] if a.pipeline else [])
    w.write(b"".join(frame("C", l) for l in job) + frame("F"))
    assert read_frame(r)[0] == "F"
    params = [b"Params", b"path=" + src] + ([b"restore_threads=%d" % a.threads] if a.threads else [])
    w.write(b"".join(frame("C", l) for l in params) + frame("F"))
    assert read_frame(r)[0] == "F"
    w.write(frame("C", b"RestoreStart"))
    reply = read_frame(r)
    if a.pipeline:
        if reply != ("C", b"Pipeline 1"):
            raise SystemExit(f"restore-session: the backend did not agree to the pipelined restore: {reply!r}")
        reply = read_frame(r)
    if reply[0] != "F":
        raise SystemExit("restore-session: RestoreStart refused")
    prefix = os.fsencode(dest) + src
    records = errors = files = 0
    finished = threading.Event()
    failed = []

    def collect():  # pipelined: the backend's output until FINISH's F (failures: C FAILED <n> <text>, E)
        while True:
            letter, payload = read_frame(r)
            if letter == "F":
                finished.set()
                return
            if letter == "E" or (letter == "C" and payload.startswith(b"FAILED ")):
                failed.append(payload)

    if a.pipeline:
        threading.Thread(target=collect, daemon=True).start()

    def send(rec):
        nonlocal records, errors
        w.write(frame("C", rec))
        records += 1
        if a.pipeline:
            return b"OK" if rec.startswith(b"FILE E") or rec.startswith(b"FILE F") else b"DONE"
        while True:
            letter, payload = read_frame(r)
            if letter in "IW":
                continue
            if letter == "E":
                errors += 1
                if errors <= 5:
                    print(f"restore-session: E {payload.decode(errors='replace')}", file=sys.stderr)
                return None
            return payload

    parents = (a.dirs + a.fanout - 1) // a.fanout
    for top in range(parents):
        tdir = prefix + b"/%d" % top
        for i in range(top * a.fanout, min(a.dirs, (top + 1) * a.fanout)):
            d = tdir + b"/%d" % i
            for j in range(a.files_per_dir):
                if send(record(b"E", 0o100644, d + b"/f%d" % j)) == b"OK":   # EMPTY: OK, then the close (IO_CLOSE)
                    w.write(frame("F"))
                    if not a.pipeline:
                        read_frame(r)
                    files += 1
            send(record(b"D", 0o40755, d + b"/"))
        send(record(b"D", 0o40755, tdir + b"/"))
    send(record(b"D", 0o40755, prefix + b"/"))
    t1 = time.perf_counter()
    w.write(frame("C", b"FINISH"))
    w.flush()
    if a.pipeline:
        finished.wait()
        errors = len(failed)
        for payload in failed[:5]:
            print(f"restore-session: {payload.decode(errors='replace')}", file=sys.stderr)
    while not a.pipeline:
        letter, payload = read_frame(r)
        if letter == "F":
            break
        if letter == "E":
            errors += 1
            if errors <= 5:
                print(f"restore-session: E {payload.decode(errors='replace')}", file=sys.stderr)
    t2 = time.perf_counter()
    cpu = 0.0
    try:
        fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        pass
    rss = 0
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1])
    except OSError:
        pass
    live = ""
    if a.heap:
        java = os.readlink(f"/proc/{p.pid}/exe")
        jcmd = os.path.join(os.path.dirname(java), "jcmd")
        subprocess.run([jcmd, str(p.pid), "GC.run"], capture_output=True, check=False)
        info = subprocess.run([jcmd, str(p.pid), "GC.heap_info"], capture_output=True, text=True, check=False).stdout
        used_k = 0
        for line in info.splitlines():  # Serial GC: "DefNew total 4928K, used 2840K [...", "Tenured total ..."
            parts = line.split()
            if len(parts) > 4 and parts[1] == "total" and parts[3] == "used":
                used_k += int(parts[4].rstrip("K,"))
        live = f" heap_after_gc_kB={used_k}"
    w.write(frame("C", b"END"))
    read_frame(r)
    w.write(frame("T"))
    w.close()
    rc = p.wait()
    print(f"dirs={a.dirs + parents + 1} files={files} records={records} create_s={t1 - t0:.1f} "
          f"finish_s={t2 - t1:.1f} total_s={time.perf_counter() - t0:.1f} backend_cpu_s={cpu:.2f} "
          f"backend_peak_rss_kB={rss} "
          f"errors={errors} exit={rc}{live}")
    return 0 if rc == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
