#!/usr/bin/env python3
"""A scripted stand-in for sbatch, squeue, scancel and sacct (hpc-slurm's unit tests).

Installed under the tool's name (a symlink); the name it was called by picks the script. FAKE_SLURM_DIR holds:
  TOOL.json          a JSON list of responses {"out": str, "err": str, "rc": int, "sleep": seconds}; each call
                     takes the first one, the last one repeats
  TOOL.after.json    used instead of TOOL.json once scancel has been called (DIR/scancelled exists)
  calls.jsonl        appended: one {"tool", "argv", "env"} per call (env: the whole environment)
"""
import json
import os
import sys
import time

tool = os.path.basename(sys.argv[0])
d = os.environ["FAKE_SLURM_DIR"]
with open(os.path.join(d, "calls.jsonl"), "a") as f:
    f.write(json.dumps({"tool": tool, "argv": sys.argv[1:], "env": dict(os.environ)}) + "\n")
if tool == "scancel":
    open(os.path.join(d, "scancelled"), "w").close()
path = os.path.join(d, tool + ".json")
after = os.path.join(d, tool + ".after.json")
if os.path.exists(os.path.join(d, "scancelled")) and os.path.exists(after):
    path = after
try:
    with open(path) as f:
        responses = json.load(f)
except FileNotFoundError:
    responses = [{"out": "", "err": "", "rc": 0}]
r = responses[0]
if len(responses) > 1:
    with open(path + ".tmp", "w") as f:
        json.dump(responses[1:], f)
    os.replace(path + ".tmp", path)
if r.get("sleep"):
    time.sleep(r["sleep"])
sys.stdout.write(r.get("out", ""))
sys.stderr.write(r.get("err", ""))
sys.exit(r.get("rc", 0))
