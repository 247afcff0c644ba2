# shellcheck shell=bash
# snapshot=yes on the real CephFS of scripts/lib/ceph-lab.sh, through the real Bacula of this run (docs/ceph.md,
# "snapshot=yes"): a backup while a writer keeps changing the tree restores exactly the snapshot the job read; no
# PATH/.snap/podheitor-* is left after success, a refused snapshot, a cancel; a killed backend's leftover is removed
# by the Job's next run. The lab is t_cephfs.sh's (it_ceph_mount, it_ceph_missing; stopped by run.sh's cleanup).
#
# The backups are slowed down by the Job's own 'Maximum Bandwidth' (bacula-fd throttles what it sends, the backend
# waits on the pipe), so that the snapshot lives for several seconds while the test copies it, cancels or kills.

SNAP_BW=${IT_SNAP_BW:-"400 kb/s"}   # the slowed jobs' Maximum Bandwidth (at 1 mb/s a Bacula 15 job could end,
                                    # and remove its snapshot, before the test's copy of the snapshot was done)

# names of the podheitor-* snapshots in DIR/.snap (none: nothing printed)
snap_list() {
  local n
  for n in "$1"/.snap/podheitor-*; do
    [ -e "$n" ] && printf '%s\n' "${n##*/}"
  done
  return 0
}

# the state letter of one thread (/proc/PID/task/TID); empty when it is gone (the comm field may hold spaces and
# parentheses: the state is the first field after the last ") ")
snap_task_state() { # task-dir
  sed 's/.*) //' "$1/stat" 2>/dev/null | cut -d' ' -f1
}

# what the ceph-fuse client still has in flight (its admin socket): the MDS requests and the OSD operations a thread
# held in a ceph-fuse call waits for, for the test log of a failure
snap_client_requests() {
  local asok=$IT_STATE/ceph-lab/run/client.fuse.asok q
  [ -S "$asok" ] || { echo "no admin socket $asok"; return 0; }
  for q in mds_requests objecter_requests; do
    echo "---- ceph-fuse $q:"
    timeout 10 ceph --admin-daemon "$asok" $q 2>&1 | head -n 200
  done
  return 0
}

# "TID:STATE/WCHAN " for every thread of PID; a thread in D adds its innermost kernel frames
snap_tasks() { # pid
  local t st fr
  for t in /proc/"$1"/task/*; do
    st=$(snap_task_state "$t")
    [ -n "$st" ] || continue
    fr=''
    [ "$st" != D ] || fr=$(head -n 3 "$t/stack" 2>/dev/null | awk '{print $2}' | paste -s -d, -)
    printf '%s:%s/%s%s ' "${t##*/}" "$st" "$(cat "$t/wchan" 2>/dev/null)" "${fr:+($fr)}"
  done
}

# 0 when a thread of PID has not exited (the process shows Z as soon as its main thread has exited)
snap_alive() { # pid
  local t st
  for t in /proc/"$1"/task/*; do
    st=$(snap_task_state "$t")
    [ -n "$st" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

# the ceph CLI against this run's lab
snap_ceph() {
  local conf
  conf=$(PHPC_CEPH_STATE=$IT_STATE/ceph-lab "$ROOT/scripts/lib/ceph-lab.sh" conf)
  timeout 60 ceph -c "$conf" --connect-timeout 15 "$@"
}

# the lab's mount into SNAP_MNT, or a SKIP/FAIL line and status 1 (the test must end)
snap_mount() { # test-name
  local why
  why=$(it_ceph_missing)
  [ -z "$why" ] || { skip "$1" "CephFS lab: $why"; return 1; }
  SNAP_MNT=$(it_ceph_mount) || { fail "$1" "the CephFS lab did not start: $(tail -n 2 "$SCRATCH/ceph-lab-up.log" | tr '\n' ' ')"; return 1; }
}

# a fresh tree on the mount: ~1500 small files, 4 files of up to 3 MiB, hard links, symlinks, odd names
snap_tree() { # mount name -> path
  local t=$1/$2
  rm -rf -- "$t"
  python3 "$ROOT/scripts/mktree.py" -n 1500 --big 4 --big-max-mib 3 --odd-bytes --seed 14 "$t" > /dev/null \
    || return 1
  echo "$t"
}

# Start a backup of TREE with snapshot=yes as Job JOBNAME in the background, slowed down; sets SNAP_HP (the
# harness's pid) and SNAP_OUT (its output file).
snap_start() { # tree jobname name-of-output
  SNAP_OUT=$SCRATCH/$3.backup
  JOB_NAME_AS=$2 H backup-plugin "podheitor-hpc:path=$1;mode=cephfs;snapshot=yes" Full \
    "Maximum Bandwidth = $SNAP_BW" > "$SNAP_OUT" 2> "$SNAP_OUT.err" &
  SNAP_HP=$!
}

# Wait (up to 120 s, while the background job runs) for a podheitor-JOBNAME-* snapshot in TREE/.snap; prints it.
snap_wait_created() { # tree jobname
  local i s
  for ((i = 0; i < 1200; i++)); do
    s=$(snap_list "$1" | grep "^podheitor-$2-" | head -1 || true)
    [ -n "$s" ] && { echo "$s"; return 0; }
    kill -0 "$SNAP_HP" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# The job id of the running background job (the harness reports "JobId=N queued" on stderr).
snap_jobid() {
  local j t0=$SECONDS
  while [ $((SECONDS - t0)) -lt 60 ]; do
    j=$(queued_jobid "$SNAP_OUT.err")
    [ -n "$j" ] && { echo "$j"; return 0; }
    kill -0 "$SNAP_HP" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# A writer that keeps changing TREE until STOP exists: new files, appends to and truncations of existing files,
# deletions, a directory renamed back and forth. Prints its number of rounds when it stops.
snap_writer() { # tree stop
  local t=$1 stop=$2 i=0 n
  local -a files
  mapfile -d '' -t files < <(find "$t" -path "$t/.snap" -prune -o -type f -size -9k -print0 | head -z -n 200)
  n=${#files[@]}
  mkdir -p "$t/writer/a"
  while [ ! -e "$stop" ]; do
    i=$((i + 1))
    # (the test's set -e is inherited: a failing step must not end the writer)
    printf 'new %d\n' "$i" > "$t/writer/new.$i" || true
    if [ $i -gt 5 ]; then rm -f -- "$t/writer/new.$((i - 5))" || true; fi
    if [ "$n" -gt 0 ]; then
      printf 'changed in round %d\n' "$i" >> "${files[$((i % n))]}" || true
      : > "${files[$(((i * 7 + 3) % n))]}" || true
      rm -f -- "${files[$(((i * 13 + 5) % n))]}" || true
    fi
    if [ $((i % 2)) = 1 ]; then mv "$t/writer/a" "$t/writer/b" || true; else mv "$t/writer/b" "$t/writer/a" || true; fi
    sleep 0.02
  done
  echo "$i"
}

test_98_cephfs_snapshot() {
  local n=cephfs_snapshot mnt T out jobid snap copy dest stop wp rounds st
  require_plugin $n || return 0
  snap_mount $n || return 0
  mnt=$SNAP_MNT
  T=$(snap_tree "$mnt" snaptree) || { fail $n "mktree on the CephFS failed"; return 0; }
  copy=$(scratch $n.snapcopy)
  stop=$SCRATCH/$n.stop
  rm -f -- "$stop"
  # the writer is another client (a second ceph-fuse mount of the lab: another "host", as compute nodes are),
  # the backup reads through the first one
  local mnt2
  mnt2=$(PHPC_CEPH_STATE=$IT_STATE/ceph-lab "$ROOT/scripts/lib/ceph-lab.sh" mount2 2> "$SCRATCH/$n.mount2.log") \
    || { fail $n "a second ceph-fuse client did not mount: $(tail -n 2 "$SCRATCH/$n.mount2.log" | tr '\n' ' ')"; return 0; }
  snap_writer "$mnt2/snaptree" "$stop" > "$SCRATCH/$n.writer" 2> "$SCRATCH/$n.writer.err" &
  wp=$!
  sleep 1   # the writer is busy before the job starts
  snap_start "$T" SnapJob $n
  if ! snap=$(snap_wait_created "$T" SnapJob); then
    touch "$stop"; wait "$wp" || true; wait "$SNAP_HP" || true; cat "$SNAP_OUT.err" >&2
    fail $n "no $T/.snap/podheitor-SnapJob-* appeared while the job ran: $(job_err "$SNAP_OUT")"; return 0
  fi
  # the content the job reads, copied while the job runs (a snapshot is read-only: the copy is stable); the copy
  # must finish while the job still runs, i.e. before the snapshot is removed
  local cprc=0
  cp -a -- "$T/.snap/$snap" "$copy/t" 2> "$SCRATCH/$n.cp.err" || cprc=$?
  local running=0
  kill -0 "$SNAP_HP" 2>/dev/null && running=1
  touch "$stop"
  wait "$wp" || true
  rounds=$(cat "$SCRATCH/$n.writer")
  local rc=0
  wait "$SNAP_HP" || rc=$?
  cat "$SNAP_OUT.err" >&2
  out=$SNAP_OUT
  jobid=$(field JobId "$out")
  # (a job that ends while cp still copies removes the snapshot under it: ENOENT for the rest of the copy)
  [ "$running" = 1 ] || { fail $n "the job had ended before the snapshot was copied: slow it more (IT_SNAP_BW=$SNAP_BW; cp: $(head -c 200 "$SCRATCH/$n.cp.err"))"; return 0; }
  [ "$cprc" = 0 ] || { fail $n "cp -a of the snapshot $snap failed (rc $cprc): $(head -c 300 "$SCRATCH/$n.cp.err")"; return 0; }
  [ "$rc" = 0 ] || { fail_job $n "snapshot backup" "$out"; return 0; }
  [ "$snap" = "podheitor-SnapJob-$jobid" ] || { fail $n "snapshot named $snap, expected podheitor-SnapJob-$jobid"; return 0; }
  note "job $jobid: JobFiles=$(field JobFiles "$out") in $(field Elapsed_s "$out") s; writer rounds: $rounds"
  [ "${rounds:-0}" -ge 20 ] || { fail $n "the writer made only ${rounds:-0} rounds during the backup"; return 0; }
  # the live tree moved on: it differs from the snapshot (else this test proves nothing)
  if H verify "$copy/t" "$T" > "$SCRATCH/$n.live-vs-snap" 2>&1; then
    fail $n "the live tree still equals the snapshot: the writer changed nothing the backup could see"; return 0
  fi
  # nothing of the snapshot is left, and the job log says both
  local left
  left=$(snap_list "$T")
  [ -z "$left" ] || { fail $n "left in $T/.snap after the job: $left"; return 0; }
  local log
  log=$(H joblog "$jobid")
  grep -q -F "snapshot: $T/.snap/$snap created; the backup reads it" <<< "$log" \
    || { fail $n "job $jobid log has no 'snapshot: ... created' line"; return 0; }
  grep -q -F "snapshot: $T/.snap/$snap removed" <<< "$log" \
    || { fail $n "job $jobid log has no 'snapshot: ... removed' line"; return 0; }
  # the catalog names the live paths, never the snapshot's
  local files
  files=$(H list-files "$jobid")
  if grep -q -F '/.snap' <<< "$files"; then
    fail $n "the catalog of job $jobid names .snap paths: $(grep -m2 -F '/.snap' <<< "$files" | tr '\n' ' ')"; return 0
  fi
  grep -q -x -F "$T/" <<< "$files" || { fail $n "the catalog of job $jobid does not name the root $T/"; return 0; }
  # the restore is the snapshot, exactly
  dest=$(scratch $n.dest)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then
    fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0
  fi
  local v
  if ! v=$(H verify "$copy/t" "$dest$T" --xattrs 2>&1); then
    echo "$v" >&2
    fail $n "the restore differs from the snapshot the job read: $(echo "$v" | tail -n 1) (details in the test log)"
    return 0
  fi
  note "$v"
  rm -rf -- "$dest" "$copy" "$T"
  pass "$n (job $jobid read $snap while a writer on a second client made $rounds rounds of changes; restore == snapshot: $(echo "$v" | tail -n 1 | sed 's/.*entries=/entries=/' | cut -d' ' -f1-5); snapshot removed, catalog has live paths only)"
}

test_98_cephfs_snapshot_cancel() {
  local n=cephfs_snapshot_cancel mnt T jobid snap st
  require_plugin $n || return 0
  snap_mount $n || return 0
  mnt=$SNAP_MNT
  T=$(snap_tree "$mnt" snapcancel) || { fail $n "mktree on the CephFS failed"; return 0; }
  snap_start "$T" SnapCancel $n
  jobid=$(snap_jobid) || { wait "$SNAP_HP" || true; fail $n "no JobId from the running backup"; return 0; }
  if ! snap=$(snap_wait_created "$T" SnapCancel); then
    wait "$SNAP_HP" || true
    fail $n "no snapshot appeared while job $jobid ran: $(job_err "$jobid")"; return 0
  fi
  H console "cancel jobid=$jobid yes" > "$SCRATCH/$n.cancel" 2>&1 || true
  # The shim SIGTERMs the backend and SIGKILLs it 5 s later; it is gone when bacula-fd has reaped it. Every thread
  # counts, not the process's state: once the JVM's main thread has exited the process shows Z while another thread
  # may still be inside a ceph-fuse call (D), which no signal ends before ceph-fuse answers it. So:
  # - 30 s after the cancel only threads in the kernel (D) may be left (anything else: the SIGKILL was not sent);
  # - a backend whose every thread has exited is reaped within 60 s (by the job thread's next call into the plugin,
  #   which Bacula 15 may make late, asleep in its bandwidth limiter; or by the shim's background reaper);
  # - how long a ceph-fuse call kept it is reported; at 180 s the test gives up and shows every thread's state.
  local -a kids=()
  local t0=$EPOCHREALTIME el gone='' exited='' alive k states='' waited_d='' bad=''
  while :; do
    el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", b - a}')
    mapfile -t kids < <(H backend-pids 2>/dev/null)
    [ ${#kids[@]} -eq 0 ] && { gone=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b - a}'); break; }
    alive=0
    for k in "${kids[@]}"; do snap_alive "$k" && alive=1; done
    if [ $alive = 0 ]; then
      [ -n "$exited" ] || exited=$el
      [ $((el - exited)) -lt 60 ] \
        || { bad="every thread of backend ${kids[*]} exited $exited s after the cancel, and it was not reaped 60 s later"; break; }
    else
      states=$(for k in "${kids[@]}"; do printf '%s[%s] ' "$k" "$(snap_tasks "$k")"; done)
      if [ "$el" -ge 30 ]; then
        if grep -q -E ':[^DZ]/' <<< "$states"; then
          bad="backend still running $el s after the cancel with threads outside the kernel (tid:state/wchan): $states"
          break
        fi
        waited_d=$el
      fi
      if [ "$el" -ge 180 ]; then
        bad="backend still inside the kernel $el s after the cancel (tid:state/wchan): $states"
        snap_client_requests >&2
        break
      fi
    fi
    sleep 0.5
  done
  wait "$SNAP_HP" || true
  [ -z "$bad" ] || { fail $n "$bad"; return 0; }
  st=$(H jobstatus "$jobid")
  [ "$st" = A ] || { fail $n "job $jobid ended with JobStatus=$st after 'cancel', expected A"; return 0; }
  [ -z "$waited_d" ] || note "job $jobid: a backend thread stayed inside a ceph-fuse call for $waited_d s or more after the cancel: $states"
  local left
  left=$(snap_list "$T")
  if [ -n "$left" ]; then
    H joblog "$jobid" > "$SCRATCH/$n.joblog" 2>&1 || true
    echo "job $jobid's log lines about the plugin or the snapshot (after a cancel bacula-fd may drop the backend's last words):" >&2
    grep -i -E 'podheitor|snapshot' "$SCRATCH/$n.joblog" >&2 || true
    fail $n "left in $T/.snap after the cancelled job $jobid: $left"; return 0
  fi
  rm -rf -- "$T"
  pass "$n (job $jobid cancelled while reading $snap: JobStatus=A, backend exited and reaped $gone s after the cancel${waited_d:+ (a thread held in a ceph-fuse call for ${waited_d}+ s)}, the snapshot removed by the backend's SIGTERM path)"
}

test_98_cephfs_snapshot_kill() {
  local n=cephfs_snapshot_kill mnt T jobid snap st out2 jobid2 left
  require_plugin $n || return 0
  snap_mount $n || return 0
  mnt=$SNAP_MNT
  T=$(snap_tree "$mnt" snapkill) || { fail $n "mktree on the CephFS failed"; return 0; }
  snap_start "$T" SnapKill $n
  jobid=$(snap_jobid) || { wait "$SNAP_HP" || true; fail $n "no JobId from the running backup"; return 0; }
  if ! snap=$(snap_wait_created "$T" SnapKill); then
    wait "$SNAP_HP" || true
    fail $n "no snapshot appeared while job $jobid ran: $(job_err "$jobid")"; return 0
  fi
  local -a kids=()
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  [ ${#kids[@]} -gt 0 ] || { wait "$SNAP_HP" || true; fail $n "no backend process to kill"; return 0; }
  kill -9 "${kids[@]}" 2>/dev/null || true
  wait "$SNAP_HP" || true
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "job $jobid ended with JobStatus=$st after its backend was killed, expected E or f"; return 0;; esac
  left=$(snap_list "$T")
  [ "$left" = "$snap" ] || { fail $n "after kill -9 expected the leftover $snap in $T/.snap, found '${left}'"; return 0; }
  # the Job's next run removes it (and makes and removes its own)
  out2=$SCRATCH/$n.next
  if ! JOB_NAME_AS=SnapKill hrun "$out2" backup-plugin "podheitor-hpc:path=$T;mode=cephfs;snapshot=yes"; then
    fail_job $n "the Job's next run" "$out2"; return 0
  fi
  jobid2=$(field JobId "$out2")
  H joblog "$jobid2" | grep -q -F "snapshot: removed $T/.snap/$snap, left by an earlier run of this Job" \
    || { fail $n "job $jobid2 log does not name the leftover $snap it removed"; return 0; }
  left=$(snap_list "$T")
  [ -z "$left" ] || { fail $n "left in $T/.snap after the next run $jobid2: $left"; return 0; }
  rm -rf -- "$T"
  pass "$n (job $jobid killed: $snap left behind; job $jobid2 of the same Job removed it, saying so, and its own)"
}

test_98_cephfs_snapshot_refused() {
  local n=cephfs_snapshot_refused mnt T out st jobid log other
  require_plugin $n || return 0
  snap_mount $n || return 0
  mnt=$SNAP_MNT
  T=$(snap_tree "$mnt" snaprefused) || { fail $n "mktree on the CephFS failed"; return 0; }
  # 1. snapshots disallowed on the file system: the job fails, nothing is backed up, nothing is left
  snap_ceph fs set cephfs allow_new_snaps false > "$SCRATCH/$n.ceph" 2>&1 \
    || { fail $n "ceph fs set cephfs allow_new_snaps false failed: $(tail -n 2 "$SCRATCH/$n.ceph" | tr '\n' ' ')"; return 0; }
  out=$SCRATCH/$n.disallowed
  JOB_NAME_AS=SnapRefused hrun "$out" backup-plugin "podheitor-hpc:path=$T;mode=cephfs;snapshot=yes" || true
  snap_ceph fs set cephfs allow_new_snaps true >> "$SCRATCH/$n.ceph" 2>&1 \
    || { fail $n "ceph fs set cephfs allow_new_snaps true failed"; return 0; }
  jobid=$(field JobId "$out")
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "job $jobid with snapshots disallowed ended with JobStatus=$st, expected E or f"; return 0;; esac
  log=$(H joblog "$jobid")
  grep -q -F "snapshot=yes: cannot make the snapshot \"$T/.snap/podheitor-SnapRefused-$jobid\": Operation not permitted (EPERM)" <<< "$log" \
    || { fail $n "job $jobid log lacks the clear error: $(job_err "$jobid")"; return 0; }
  grep -q -F "allow_new_snaps" <<< "$log" || { fail $n "job $jobid's error does not name allow_new_snaps"; return 0; }
  local nfiles
  nfiles=$(H query "SELECT COUNT(*) FROM PhpcFile WHERE JobId = $jobid")
  [ "${nfiles:-x}" = 0 ] || { fail $n "job $jobid cataloged $nfiles files although it could not snapshot"; return 0; }
  [ -z "$(snap_list "$T")" ] || { fail $n "left in $T/.snap: $(snap_list "$T")"; return 0; }
  # 2. another mode: a job error saying what the key would map to
  out=$SCRATCH/$n.gpfs
  JOB_NAME_AS=SnapRefused hrun "$out" backup-plugin "podheitor-hpc:path=$T;mode=gpfs;snapshot=yes" || true
  jobid=$(field JobId "$out")
  H joblog "$jobid" | grep -q -F "snapshot=yes is implemented for mode=cephfs only (this job: mode=gpfs): with mode=gpfs it would be a GPFS snapshot (mmcrsnapshot" \
    || { fail $n "job $jobid (mode=gpfs) lacks the clear error: $(job_err "$jobid")"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "job $jobid (mode=gpfs) ended with JobStatus=$st, expected E or f"; return 0;; esac
  # 3. a path that is not on CephFS
  other=$(mk_tree snapnotceph -n 20 --big 0) || { fail $n "mktree failed"; return 0; }
  out=$SCRATCH/$n.notceph
  JOB_NAME_AS=SnapRefused hrun "$out" backup-plugin "podheitor-hpc:path=$other;mode=cephfs;snapshot=yes" || true
  jobid=$(field JobId "$out")
  H joblog "$jobid" | grep -q -F "snapshot=yes: \"$other\" is not on CephFS" \
    || { fail $n "job $jobid (not CephFS) lacks the clear error: $(job_err "$jobid")"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "job $jobid (not CephFS) ended with JobStatus=$st, expected E or f"; return 0;; esac
  rm -rf -- "$T"
  pass "$n (allow_new_snaps false: job failed with EPERM and the hint, 0 files, nothing left; mode=gpfs and a non-CephFS path: job errors naming why)"
}
