#!/usr/bin/env python3
"""Drives one PTCOMM backup or estimate session against bin/podheitor-hpc-backend (no Bacula), like the shim.

  scripts/backend-session.py [--estimate] [--backend CMD] [--param k=v ...] [--command-delay S] PATH

Prints on stdout: start_to_first_frame_s (spawn -> the Hello reply), start_to_params_reply_s (spawn -> the
answer to the Params block, which the backend checks against the plugin-key table), start_to_first_record_s (BackupStart
-> the first FILE record: with scheduler=slurm the Slurm job's submission, scheduling and the worker's start),
stream_s (the first FILE record -> the final F), files, data_bytes, total_s and the backend's peak RSS (VmHWM, kB, read
just before T; with scheduler=slurm the submitter's), and command_to_first_record_s (the Hello -> the first FILE
record, what a job waits for). --command-delay S sends the Hello S seconds after the spawn, as a job does (the shim
spawns the backend at the plugin command, ~0.15 s before the backup command: docs/abi.md §7.2). I, W and E messages
are skipped (printed on stderr with -v). Used to build the AOT cache (a training run, scripts/build-aot.sh) and to
measure start-up and memory (docs/bench.md). Exit status 1 on a protocol error.
"""
import argparse, os, subprocess, sys, time

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
        raise SystemExit(f"backend-session: bad or missing header {h!r}")
    n = int(h[1:7])
    return chr(h[0]), read_exact(f, n)

VERBOSE = False

def read_answer(f):
    """The next frame that is not a transparent I/W/E message."""
    while True:
        letter, payload = read_frame(f)
        if letter not in "IWE":
            return letter, payload
        if VERBOSE:
            print(f"backend-session: {letter} {payload.decode(errors='replace')}", file=sys.stderr)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--estimate", action="store_true")
    ap.add_argument("--backend", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin", "podheitor-hpc-backend"))
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--command-delay", type=float, default=0.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    global VERBOSE
    VERBOSE = a.verbose
    t0 = time.perf_counter()
    p = subprocess.Popen([a.backend], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, bufsize=0)
    w, r = p.stdin, p.stdout
    if a.command_delay > 0:
        time.sleep(a.command_delay)
    t_cmd = time.perf_counter()
    w.write(frame("C", b"Hello podheitor-hpc 1"))
    letter, payload = read_answer(r)
    first = time.perf_counter() - t0
    if (letter, payload) != ("C", b"Hello Bacula 1"):
        raise SystemExit(f"backend-session: unexpected Hello reply {letter} {payload!r}")
    kind = b"E" if a.estimate else b"B"
    job = [b"Job", b"Name=session-py", b"JobID=1", b"Type=" + kind, b"Level=F", b"Accurate=0", b"FDVersion=22"]
    w.write(b"".join(frame("C", l) for l in job) + frame("F"))
    assert read_answer(r)[0] == "F"
    params = [b"Params", b"path=" + os.fsencode(a.path)] + [x.encode() for x in a.param]
    w.write(b"".join(frame("C", l) for l in params) + frame("F"))
    letter, payload = read_answer(r)
    if letter != "F":
        raise SystemExit(f"backend-session: Params refused: {letter} {payload!r}")
    params_s = time.perf_counter() - t0  # the backend has read the plugin-key table by now
    w.write(frame("C", b"EstimateStart" if a.estimate else b"BackupStart"))
    t_start = time.perf_counter()
    letter, payload = read_answer(r)
    if letter != "F":
        raise SystemExit(f"backend-session: start refused: {letter} {payload!r}")
    t_first = None
    files = data = 0
    in_data = False
    while True:
        letter, payload = read_frame(r)
        if letter == "C" and payload.startswith(b"CHECK "):
            # docs/ptcomm.md §8 / §3.2 (the first name of a multiply linked inode): send everything
            w.write(frame("C", b"CHANGED"))
        elif letter == "C":
            if t_first is None:
                t_first = time.perf_counter()
            files += 1
            in_data = bool(int(payload.split(b"\n", 1)[0].split(b" ")[14]) & 1)  # flags: data section follows
        elif letter == "D":
            data += len(payload)
        elif letter == "F":
            if in_data:
                in_data = False
                continue
            break
        elif letter == "A":
            raise SystemExit(f"backend-session: abort: {payload!r}")
        elif letter in "IWE" and VERBOSE:
            print(f"backend-session: {letter} {payload.decode(errors='replace')}", file=sys.stderr)
    t_end = time.perf_counter()
    if t_first is None:
        t_first = t_end
    rss = 0
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1])
    except OSError:
        pass
    # the launcher execs java, so p.pid is the JVM
    w.write(frame("T"))
    w.close()
    rc = p.wait()
    total = time.perf_counter() - t0
    print(f"start_to_first_frame_s={first:.3f} start_to_params_reply_s={params_s:.3f} "
          f"start_to_first_record_s={t_first - t_start:.3f} command_to_first_record_s={t_first - t_cmd:.3f} "
          f"stream_s={t_end - t_first:.3f} "
          f"files={files} data_bytes={data} total_s={total:.3f} "
          f"backend_peak_rss_kB={rss} exit={rc}")
    return 0 if rc == 0 else 1

sys.exit(main())
