#!/usr/bin/env bash
# The Ceph test harness's own tests (part "ceph" of scripts/test.sh; ~1 min): start a real single-node CephFS with
# scripts/lib/ceph-lab.sh (mon, OSD on memstore, MDS, ceph-fuse on 127.0.0.1) and establish on it the facts the
# CephFS drivers rely on (docs/ceph.md): the mount works; ceph.dir.rctime has the "%ld.%09ld" format and moves
# after a change below a directory, lazily (the lag is measured, waited for up to a bound); a new empty directory's
# rctime; a file with a future ctime pins the rctime of its ancestors in the future, also after it is deleted; a
# snapshot (mkdir DIR/.snap/NAME) keeps its content while the live file changes and is read-only, rmdir removes
# it; the virtual xattrs are not listed by listxattr but readable by name. Then 'down', and nothing of the lab is
# left: no process, no mount, no cluster state.
#
# Every test prints "PASS NN name: detail", "FAIL NN name: why" or "SKIP NN name: why" (counted as skipped, never
# as passed). Without the ceph packages or /dev/fuse the whole part is one SKIP with the reason. The skipped
# tests are listed again at the end; the last line is "N passed, N failed, N skipped"; exit 1 if a test failed.
# A trap on EXIT/INT/TERM runs 'ceph-lab.sh down' (stops the daemons by PID), also when a test fails.
#
# env: CEPH_TEST_STATE=/tmp/podheitor-hpc-ceph-test (the lab's PHPC_CEPH_STATE; root's own directory),
#      CEPH_TEST_MON_PORT=19400 (the lab's PHPC_CEPH_MON_PORT; it uses the 42 ports from there: 19400-19441),
#      CEPH_TEST_LAG_MAX=40 (seconds to wait for rctime to propagate before a test fails),
#      PHPC_CEPH_FAST_RSTAT (passed on to the lab; off by default: the lag measured is the default settings')
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PHPC_PROG=ceph-test
# shellcheck source=../../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
LAB=$ROOT/scripts/lib/ceph-lab.sh
export PHPC_CEPH_STATE=${CEPH_TEST_STATE:-/tmp/podheitor-hpc-ceph-test}
export PHPC_CEPH_MON_PORT=${CEPH_TEST_MON_PORT:-19400}
LAG_MAX=${CEPH_TEST_LAG_MAX:-40}

RUNNER=ceph
# shellcheck source=../../scripts/lib/test-counts.sh
. "$ROOT/scripts/lib/test-counts.sh"

# ------------------------------------------------------------ can it run here ----
have() { local p; p=$(command -v "$1" 2>/dev/null) && [ -x "$p" ]; }   # bash names a non-executable file too
why=""
is_root || why="not root (ceph-fuse mounts; the lab's state directory is root's)"
for b in ceph-mon ceph-osd ceph-mds ceph-fuse ceph monmaptool; do
  [ -n "$why" ] || have "$b" \
    || why="$b not installed (packages ceph-mon ceph-osd ceph-mds ceph-fuse ceph-common: scripts/install-deps.sh)"
done
[ -n "$why" ] || have getfattr || why="getfattr not installed (package attr)"
[ -n "$why" ] || [ -c /dev/fuse ] || why="/dev/fuse missing (ceph-fuse needs FUSE)"
if [ -n "$why" ]; then
  skip "00 CephFS tests" "$why"
  finish; exit
fi

LAB_UP=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/podheitor-hpc-ceph-work.XXXXXX")   # the test's scratch files
cleanup() {
  rm -rf -- "$WORK"
  [ "$LAB_UP" = 1 ] || return 0
  LAB_UP=0
  "$LAB" down > /dev/null 2>&1 || echo "ceph-test: 'ceph-lab.sh down' failed; see $PHPC_CEPH_STATE/log" >&2
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# helpers in Python: exact nanoseconds, polling without a process per read
py() { python3 - "$@"; }
RCT_PY='
import os, re, sys, time
def rct(p):
    v = os.getxattr(p, "ceph.dir.rctime", follow_symlinks=False).decode()
    m = re.fullmatch(r"([0-9]+)\.([0-9]{9})", v)
    if not m: raise SystemExit("bad rctime %r of %s" % (v, p))
    return int(m.group(1)) * 10**9 + int(m.group(2))
'
# rctime of PATH in ns
rct() { py "$1" <<< "$RCT_PY
print(rct(sys.argv[1]))" || echo 0; }
# seconds (0.01) until rctime(PATH) >= NS, for each PATH, polled together every 20 ms, up to BOUND s ("timeout" for
# a PATH that did not get there)
wait_rct() { # ns bound path...
  py "$@" <<< "$RCT_PY
want, bound, paths = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
t0 = time.monotonic(); seen = {}
while len(seen) < len(paths) and time.monotonic() - t0 <= bound:
    for p in paths:
        if p not in seen and rct(p) >= want: seen[p] = time.monotonic() - t0
    time.sleep(0.02)
print(\" \".join(\"%.2f\" % seen[p] if p in seen else \"timeout\" for p in paths))"
}
ctime_ns() { stat -c '%.9Z' -- "$1" 2>/dev/null | tr -d . || echo 0; }
vx() { getfattr --absolute-names --only-values -n "$1" -- "$2" 2>&1 || true; }   # the value, or why not

# ------------------------------------------------------------------------ up ----
t0=$(date +%s%N)
if out=$("$LAB" up 2>&1); then
  LAB_UP=1
  secs=$(( ($(date +%s%N) - t0) / 10000000 ))
  M=$("$LAB" mnt)
  read -r measured < "$PHPC_CEPH_STATE/up.measured" || measured=""
  if [ "$(findmnt -n -o FSTYPE -M "$M")" = fuse.ceph-fuse ] && "$LAB" status > /dev/null 2>&1; then
    pass "01 up" "mounted fuse.ceph-fuse at $M in $((secs / 100)).$(printf %02d $((secs % 100))) s ($measured)"
  else
    fail "01 up" "'up' succeeded, but $M is not a ceph-fuse mount or 'status' says not up"
  fi
else
  LAB_UP=1   # whatever it left is stopped by the trap
  fail "01 up" "$(tail -n 5 <<< "$out" | tr '\n' ' ')"
  finish; exit
fi
pids1=$("$LAB" pids | sort)
t1=$SECONDS
out=$("$LAB" up 2>&1) || true
if [ "$("$LAB" pids | sort)" = "$pids1" ] && [ $((SECONDS - t1)) -le 5 ] && [[ $out == *"already up"* ]]; then
  pass "02 up is idempotent" "the same 4 daemons ($(awk '{ printf "%s%s=%s", sep, $1, $2; sep=" " }' <<< "$pids1"))"
else
  fail "02 up is idempotent" "a second 'up' changed the daemons or took $((SECONDS - t1)) s: $out"
fi

T=$M/phpc-test
mkdir -p "$T"
head -c 3000000 /dev/urandom > "$WORK/sample"
if cp "$WORK/sample" "$T/sample" && cmp -s "$WORK/sample" "$T/sample" \
   && mv "$T/sample" "$T/moved" && [ "$(stat -c %s "$T/moved")" = 3000000 ] && rm "$T/moved" && [ ! -e "$T/moved" ]; then
  pass "03 read/write" "3 MB written, read back equal, renamed, removed"
else
  fail "03 read/write" "a 3 MB file did not round-trip through $T"
fi
rm -f "$WORK/sample"

# ----------------------------------------------------------------- rctime ----
v=$(vx ceph.dir.rctime "$M")
: > "$T/plain"
fv=$(vx ceph.dir.rctime "$T/plain")
if [[ $v =~ ^[0-9]+\.[0-9]{9}$ ]] && [[ $fv == *"No such attribute"* ]]; then
  pass "04 rctime format" "root: $v (seconds.9-digit nanoseconds); on a file: ENODATA"
else
  fail "04 rctime format" "root '$v', on a file '$fv'"
fi

# a change deep below a directory: how long until the directory's rctime shows it (buffered append, then a create)
R=$T/r
mkdir -p "$R/l1/l2/l3" "$T/empty-before"
E=$T/empty
mkdir "$E"
e_now=$(vx ceph.dir.rctime "$E"); e_ctime=$(ctime_ns "$E"); e_t=$SECONDS
echo first > "$R/l1/l2/l3/f"
settle=$(wait_rct "$(ctime_ns "$R/l1/l2/l3/f")" "$LAG_MAX" "$R")
sleep 1
echo more >> "$R/l1/l2/l3/f"
c=$(ctime_ns "$R/l1/l2/l3/f")
read -r lag_top lag_leaf <<< "$(wait_rct "$c" "$LAG_MAX" "$R" "$R/l1/l2/l3")"
: > "$R/l1/new"
c2=$(ctime_ns "$R/l1/new")
read -r lag_create lag_create_parent <<< "$(wait_rct "$c2" "$LAG_MAX" "$R" "$R/l1")"
if [ "$settle" != timeout ] && [[ "$lag_top $lag_leaf $lag_create $lag_create_parent" != *timeout* ]]; then
  pass "05 rctime moves after a change below" "a buffered append (no fsync) after ${lag_top} s 4 levels up, ${lag_leaf} s at its own directory; a create after ${lag_create} s 2 levels up, ${lag_create_parent} s at its directory; the first write ${settle} s (bound $LAG_MAX s)"
else
  fail "05 rctime moves after a change below" "not within $LAG_MAX s: first write $settle, append $lag_top/$lag_leaf, create $lag_create/$lag_create_parent"
fi

# a new empty directory: 0, or a value at or after its ctime (what a pruning walk must handle: 0 = unknown)
e_late=$(vx ceph.dir.rctime "$E")
ok_e() { [ "$1" = 0.000000000 ] || { [[ $1 =~ ^[0-9]+\.[0-9]{9}$ ]] && [ "${1/./}" -ge "$e_ctime" ]; }; }
if ok_e "$e_now" && ok_e "$e_late"; then
  pass "06 new empty directory's rctime" "$e_now at once, $e_late after $((SECONDS - e_t)) s (its ctime ${e_ctime:0:10}.${e_ctime:10})"
else
  fail "06 new empty directory's rctime" "$e_now at once, $e_late later: neither 0 nor >= its ctime $e_ctime"
fi

# a future mtime (touch -d): the file's ctime, then every ancestor's rctime, go into the future; a deletion does
# not bring them back (rctime only grows)
FU=$T/future
mkdir -p "$FU/sub"
future=$(( $(date +%s) + 10 * 366 * 86400 ))
touch -m -d "@$future" "$FU/sub/f"
fc=$(ctime_ns "$FU/sub/f")
lag_f=$(wait_rct "${future}000000000" "$LAG_MAX" "$FU")
rentries0=$(vx ceph.dir.rentries "$FU")
rm "$FU/sub/f"
# the deletion has propagated when rentries drops
gone=timeout
for ((i = 0; i < LAG_MAX * 5; i++)); do
  if [ "$(vx ceph.dir.rentries "$FU")" -lt "$rentries0" ]; then gone=$((i / 5)); break; fi
  sleep 0.2
done
after=$(rct "$FU"); root_after=$(rct "$M")
if [ "$lag_f" != timeout ] && [ "$gone" != timeout ] && [ "$after" -ge "${future}000000000" ] \
   && [ "$root_after" -ge "${future}000000000" ]; then
  pass "07 future ctime pins rctime" "touch -m -d +10y: the file's ctime $([ "${fc:0:10}" = "$future" ] && echo "is that future time too" || echo "is ${fc:0:10}"); its ancestors' rctime ${after:0:10} (after ${lag_f} s), the mount root's too; still there after the file was deleted (rentries $rentries0 -> $((rentries0 - 1)) after ~${gone} s)"
else
  fail "07 future ctime pins rctime" "future $future: rctime wait $lag_f, deletion seen $gone, rctime after ${after:0:10}, root ${root_after:0:10}"
fi

# ---------------------------------------------------------------- snapshots ----
SN=$T/snap
mkdir -p "$SN/d"
echo v1 > "$SN/d/f"; echo keep > "$SN/g"
snap_err=""
if mkdir "$SN/.snap/phpc-1" 2>"$WORK/snap.err"; then
  echo v2 > "$SN/d/f"; rm "$SN/g"; echo new > "$SN/h"
  in_snap=$(cat "$SN/.snap/phpc-1/d/f" 2>&1 || true); live=$(cat "$SN/d/f" 2>&1 || true)
  listed=$(ls "$SN/.snap" 2>&1 || true)
  # shellcheck disable=SC2012  # the test's own plain names
  in_dir=$(ls -a "$SN" | paste -sd, -)
  # shellcheck disable=SC2012  # the test's own plain names
  snap_names=$(ls "$SN/.snap/phpc-1" 2>&1 | paste -sd, -)
  btime=$(vx ceph.snap.btime "$SN/.snap/phpc-1")
  if (echo x > "$SN/.snap/phpc-1/x") 2>"$WORK/snap-w.err"; then ro=no
  else ro=$(cat "$WORK/snap-w.err" 2>/dev/null || echo "write failed"); fi
  rmdir "$SN/.snap/phpc-1" 2>>"$WORK/snap.err" || snap_err="rmdir failed: $(cat "$WORK/snap.err" 2>/dev/null || true)"
  left=$(ls -A "$SN/.snap" 2>&1 || true)
  if [ -z "$snap_err" ] && [ "$in_snap" = v1 ] && [ "$live" = v2 ] && [ "$listed" = phpc-1 ] && [ "$snap_names" = d,g ] && [ "$in_dir" = .,..,d,h ] \
     && [[ $btime =~ ^[0-9]+\.[0-9]{9}$ ]] && [ "$ro" != no ] && [ -z "$left" ]; then
    pass "08 snapshot" "mkdir .snap/phpc-1 kept f=v1 and g while the live tree changed (f=v2, g gone, h new); read-only (${ro##*: }); .snap not listed by readdir ($in_dir); ceph.snap.btime $btime; rmdir removed it"
  else
    fail "08 snapshot" "snap f '$in_snap' live '$live', .snap '$listed', readdir '$in_dir', names '$snap_names', btime '$btime', write '$ro', after rmdir '$left' $snap_err"
  fi
else
  fail "08 snapshot" "mkdir $SN/.snap/phpc-1: $(cat "$WORK/snap.err" 2>/dev/null || true)"
fi

# ------------------------------------------------------------ virtual xattrs ----
X=$T/x
mkdir -p "$X/sub"; echo data > "$X/sub/f"
setfattr -n user.phpc -v 1 "$X"
listed=$(getfattr --absolute-names -d -m - "$X" 2>&1 | grep -v '^#' | grep . | paste -sd' ' -)
pylisted=$(py "$X" <<< 'import os, sys; print(" ".join(sorted(os.listxattr(sys.argv[1]))))')
vals=""
for n in ceph.dir.rctime ceph.dir.rentries ceph.dir.rbytes ceph.dir.rfiles ceph.dir.rsubdirs; do
  vals+="$n=$(vx "$n" "$X") "
done
if [[ $listed == *user.phpc* ]] && [[ $listed != *ceph.* ]] && [ "$pylisted" = user.phpc ] \
   && [[ $vals =~ ceph.dir.rctime=[0-9]+\.[0-9]{9}\ ceph.dir.rentries=[0-9]+\ ceph.dir.rbytes=[0-9]+\ ceph.dir.rfiles=[0-9]+\ ceph.dir.rsubdirs=[0-9]+\ $ ]]; then
  pass "09 virtual xattrs hidden, readable by name" "listxattr: '$pylisted' only; by name: $vals"
else
  fail "09 virtual xattrs hidden, readable by name" "getfattr -d: '$listed', listxattr '$pylisted', by name: $vals"
fi

# ---------------------------------------------------------------------- down ----
rss=$("$LAB" status 2>/dev/null | sed -n 's/^total RSS: //p')
mapfile -t procs < <("$LAB" pids)
t1=$(date +%s%N)
LAB_UP=0
down_out=$("$LAB" down 2>&1) && down_rc=0 || down_rc=$?
dsecs=$(( ($(date +%s%N) - t1) / 10000000 ))
alive=""
for l in "${procs[@]}"; do
  pid=${l#* }
  if [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then alive+="$l "; fi
done
strays=$(pgrep -a -f -- "$PHPC_CEPH_STATE/" || true)
mnt_left=$(findmnt -n -M "$M" 2>/dev/null || true)
if [ "$down_rc" = 0 ] && [ ${#procs[@]} = 4 ] && [ -z "$alive" ] && [ -z "$strays" ] && [ -z "$mnt_left" ] \
   && [ ! -e "$PHPC_CEPH_STATE/mon" ] && [ ! -e "$PHPC_CEPH_STATE/ceph.conf" ] && ! "$LAB" status > /dev/null 2>&1; then
  kills=$(sed -n 's/^ceph-lab: \([^ ]*\) (pid [0-9]*) still there \([0-9]*\) s after TERM: KILL$/\1 after \2 s/p' <<< "$down_out" | paste -sd, -)
  pass "10 down" "unmounted, ${#procs[@]} daemons stopped by PID in $((dsecs / 100)).$(printf %02d $((dsecs % 100))) s (KILLed: ${kills:-none}; RSS before: $rss), no process left, cluster state removed"
else
  fail "10 down" "exit $down_rc, daemons before ${#procs[@]}, alive '$alive', strays '$strays', mount '$mnt_left': $(tail -n 3 <<< "$down_out" | tr '\n' ' ')"
fi
if "$LAB" down > /dev/null 2>&1; then pass "11 down is idempotent"; else fail "11 down is idempotent" "a second 'down' failed"; fi

finish
