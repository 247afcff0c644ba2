# shellcheck shell=bash
# Backups of a real CephFS (scripts/lib/ceph-lab.sh: mon, OSD on memstore, MDS, ceph-fuse on 127.0.0.1) through
# the real Bacula of this run. The lab is started by the first test that needs it (it_ceph_mount), in
# $IT_STATE/ceph-lab (under the harness's state directory, so that a Bacula 15 FD in its own mount namespace sees
# the mount too), and stopped by run.sh's cleanup (it_ceph_down), by PID, also when a test fails.
#
#   97  mode=cephfs rctime Incrementals (docs/ceph.md §7): a Full records the tree's directories; then creates,
#       modifies, deletes, a file rename, a directory rename (its subtree keeps its old rctimes), a chmod, a new
#       empty directory (rctime 0) and a file with a ctime ten years ahead; once rctime has propagated, an Accurate
#       Incremental leaves out the untouched subtrees (the job log counts them; nothing below them is CHECKed or
#       saved), saves the changes, records exactly the deletions, and the restore of Full + Incremental equals the
#       live tree. The future ctime is reported once.
#
# env: IT_CEPH_MON_PORT (default 19600 + 3 x (IT_DIR_PORT - 19201): 19600 for the 9.6 run, 19660 for the 15 run;
#      the lab takes the 42 ports from there)

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
  PHPC_CEPH_STATE=$st PHPC_CEPH_MON_PORT=$port "$ROOT/scripts/lib/ceph-lab.sh" up > "$SCRATCH/ceph-lab-up.log" 2>&1 \
    || { note "ceph-lab.sh up failed: $(tail -n 3 "$SCRATCH/ceph-lab-up.log" | tr '\n' ' ')"; return 1; }
  PHPC_CEPH_STATE=$st "$ROOT/scripts/lib/ceph-lab.sh" mnt
}

# Stop the lab a test of this run started (run.sh's cleanup; the tests run in subshells, so the path is fixed
# rather than remembered).
it_ceph_down() {
  local s=$IT_STATE/ceph-lab
  [ -e "$s/run/pids" ] || return 0
  PHPC_CEPH_STATE=$s "$ROOT/scripts/lib/ceph-lab.sh" down > /dev/null 2>&1 \
    || echo "ceph-lab.sh down of $s failed (see $s/log)" >&2
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

test_97_cephfs_rctime() {
  local n=cephfs_rctime why M T sd out fj ij log st saved del want R jname i margin=8 t0 pruned tb
  why=$(it_ceph_missing)
  if [ -n "$why" ]; then skip $n "$why"; return 0; fi
  require_plugin $n || return 0
  M=$(it_ceph_mount) || { fail $n "the CephFS lab did not start"; return 0; }
  T=$M/it97; sd=$(trusted_dir "$n")/state
  install -d -m 700 -- "$sd"
  rm -rf -- "$T"
  # untouched subtrees (pruned by the Incremental), and the ones that change
  for i in 1 2 3 4 5; do
    mkdir -p -- "$T/keep$i/x/y"
    printf 'k%s\n' "$i" > "$T/keep$i/x/y/f"; printf 'top%s\n' "$i" > "$T/keep$i/top"
  done
  mkdir -p -- "$T/work/quiet/deep" "$T/ren/old/sub/deeper" "$T/del" "$T/perm" "$T/fut"
  printf 'q\n' > "$T/work/quiet/deep/q"; printf 'm\n' > "$T/work/mod"; printf 'r\n' > "$T/work/renme"
  printf 's\n' > "$T/ren/old/sub/s"; printf 'd\n' > "$T/ren/old/sub/deeper/d"
  printf 'gone\n' > "$T/del/gone"; printf 'stay\n' > "$T/del/stay"; printf 'p\n' > "$T/perm/p"
  printf 'f\n' > "$T/fut/f"
  # the tree must be older than the Full's Since minus the margin
  t0=$(date +%s)
  sleep $((margin + 2))
  local ps="podheitor-hpc:path=$T;mode=cephfs;rctime_margin=$margin;state_dir=$sd"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  log=$(H joblog "$fj")
  grep -q "cephfs: .* directories walked, none pruned" <<< "$log" \
    || { fail $n "Full $fj: no cephfs summary line: $(grep -m3 -i -e cephfs -e warn <<< "$log" | tr '\n' ' ')"; return 0; }
  sleep 1.1
  # the changes; each changed directory's rctime must reach the clock read before them (not the last change's
  # ctime: the changes can straddle a second, and the first ones' directories never reach the later second)
  tb=$(date +%s%N)
  printf 'new\n' > "$T/work/created"; printf 'more\n' >> "$T/work/mod"; mv -- "$T/work/renme" "$T/work/renamed"
  mv -- "$T/ren/old" "$T/ren/new"; rm -- "$T/del/gone"; chmod 600 -- "$T/perm/p"; mkdir -- "$T/emptynew"
  local fut=$(( $(date +%s) + 10 * 365 * 86400 ))
  printf 'later\n' > "$T/fut/later"; touch -m -d "@$fut" -- "$T/fut/later"
  # wait until rctime reflects the changes up to the root (lazy propagation: docs/ceph.md §2)
  it_wait_rctime "$tb" 60 "$T/perm" "$T/del" "$T/work" "$T/ren" "$T" && it_wait_rctime "${fut}000000000" 60 "$T/fut" \
    || { fail $n "rctime did not propagate in 60 s"; return 0; }
  out=$SCRATCH/$n.incr
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "rctime Incremental" "$out"; return 0; fi
  ij=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "Incremental $ij: JobStatus=$st"; return 0; }
  log=$(H joblog "$ij")
  pruned=$(grep -o "cephfs: [0-9,]* directories pruned" <<< "$log" | grep -o "[0-9,]*" | tr -d ,) || true
  # keep1..5 (5), work/quiet, ren/new's nothing (not in the set), del/perm: changed -> walked; emptynew: rctime 0
  [ "$pruned" = 6 ] || { note "$(grep -i -e cephfs <<< "$log")"; fail $n "Incremental $ij pruned '${pruned:-?}' directories, want 6 (keep1..keep5, work/quiet)"; return 0; }
  grep -q "rctime in the future" <<< "$log" \
    || { fail $n "Incremental $ij: the future rctime was not reported: $(grep -i cephfs <<< "$log" | tr '\n' ' ')"; return 0; }
  saved=$(cl_names "$ij" saved)
  if grep -q -e "/keep[0-9]/." -e "/work/quiet/." <<< "$saved"; then
    fail $n "Incremental $ij saved entries below a pruned directory: $(grep -e /keep -e /quiet/ <<< "$saved" | tr '\n' ' ')"; return 0
  fi
  for want in "$T/work/created" "$T/work/mod" "$T/work/renamed" "$T/ren/new/" "$T/ren/new/sub/" "$T/ren/new/sub/s" \
      "$T/ren/new/sub/deeper/" "$T/ren/new/sub/deeper/d" "$T/perm/p" "$T/emptynew/" "$T/fut/later"; do
    grep -qxF -- "$want" <<< "$saved" || { note "saved: $(tr '\n' '|' <<< "$saved")"; fail $n "Incremental $ij did not save $want"; return 0; }
  done
  del=$(cl_names "$ij" deleted | LC_ALL=C sort)
  want=$(printf '%s\n' "$T/del/gone" "$T/ren/old/" "$T/ren/old/sub/" "$T/ren/old/sub/deeper/" "$T/ren/old/sub/deeper/d" \
    "$T/ren/old/sub/s" "$T/work/renme" | LC_ALL=C sort)
  [ "$del" = "$want" ] || { note "deleted: $(tr '\n' '|' <<< "$del")"; note "want:    $(tr '\n' '|' <<< "$want")"; fail $n "Incremental $ij recorded other deletions"; return 0; }
  R=$(scratch "$n.restore")
  out=$SCRATCH/$n.restore-job
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore of Full + Incremental" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify" 2>&1; then
    cat "$SCRATCH/$n.verify" >&2; fail $n "restore of Full $fj + rctime Incremental $ij differs from the live tree"; return 0
  fi
  local fs is
  fs=$(H joblog "$fj" | grep -o "[0-9,]* statx" | head -n 1)
  is=$(grep -o "[0-9,]* statx" <<< "$log" | head -n 1)
  pass "$n (Full $fj: $fs; rctime Incremental $ij: 6 directories pruned, $is, the changes saved, 7 deletions recorded, future rctime reported; restore == live tree)"
}
