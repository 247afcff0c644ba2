# shellcheck shell=bash
# Backups of a real CephFS (scripts/lib/ceph-lab.sh: mon, OSD on memstore, MDS, ceph-fuse on 127.0.0.1) through
# the real Bacula of this run. The lab is started by the first test that needs it (it_ceph_mount), under the
# harness's state directory (so that a Bacula 15 FD in its own mount namespace sees the mount too), and stopped by
# run.sh's cleanup (IT_CEPH_STATES), by PID, also when a test fails.
#
# env: IT_CEPH_MON_PORT (default 19600 + 3 x (IT_DIR_PORT - 19201): 19600 for the 9.6 run, 19660 for the 15 run;
#      the lab takes the 42 ports from there)

IT_CEPH_STATES=()

# Why the CephFS tests cannot run here, or nothing.
it_ceph_missing() {
  local b p
  for b in ceph-mon ceph-osd ceph-mds ceph-fuse ceph monmaptool getfattr; do
    p=$(command -v "$b" 2>/dev/null) && [ -x "$p" ] \
      || { echo "$b not installed (scripts/install-deps.sh installs the ceph and attr packages)"; return 0; }
  done
  [ -c /dev/fuse ] || echo "/dev/fuse missing (ceph-fuse needs FUSE)"
}

# Start the lab once per run (idempotent) and print its mount point.
it_ceph_mount() {
  local st=$IT_STATE/ceph-lab port
  port=${IT_CEPH_MON_PORT:-$((19600 + 3 * (PHPC_DIR_PORT - 19201)))}
  if [ ${#IT_CEPH_STATES[@]} -eq 0 ]; then IT_CEPH_STATES+=("$st"); fi
  PHPC_CEPH_STATE=$st PHPC_CEPH_MON_PORT=$port "$ROOT/scripts/lib/ceph-lab.sh" up > "$SCRATCH/ceph-lab-up.log" 2>&1 \
    || { note "ceph-lab.sh up failed: $(tail -n 3 "$SCRATCH/ceph-lab-up.log" | tr '\n' ' ')"; return 1; }
  PHPC_CEPH_STATE=$st "$ROOT/scripts/lib/ceph-lab.sh" mnt
}

# Stop the lab(s) this run started (run.sh's cleanup).
it_ceph_down() {
  local s
  for s in "${IT_CEPH_STATES[@]}"; do
    PHPC_CEPH_STATE=$s "$ROOT/scripts/lib/ceph-lab.sh" down > /dev/null 2>&1 \
      || echo "ceph-lab.sh down of $s failed (see $s/log)" >&2
  done
  IT_CEPH_STATES=()
}

# rctime of PATH in ns (0 when it cannot be read)
it_rctime_ns() {
  local v
  v=$(getfattr --absolute-names --only-values -n ceph.dir.rctime -- "$1" 2>/dev/null) || { echo 0; return; }
  [[ $v =~ ^([0-9]+)\.([0-9]{9})$ ]] || { echo 0; return; }
  echo "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" | sed 's/^0*//;s/^$/0/'
}

# Wait (up to BOUND s) until the rctime of every PATH is at least NS (the lazy propagation, docs/ceph.md).
it_wait_rctime() { # ns bound path...
  local want=$1 bound=$2 p t0=$SECONDS
  shift 2
  for p in "$@"; do
    while [ "$(it_rctime_ns "$p")" -lt "$want" ]; do
      [ $((SECONDS - t0)) -le "$bound" ] || { note "rctime of $p did not reach $want in $bound s"; return 1; }
      sleep 0.5
    done
  done
}
