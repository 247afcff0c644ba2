# shellcheck shell=bash
# bconsole 'cancel' of a running plugin backup: the job ends Canceled (A), the backend is gone within a few
# seconds (the shim SIGTERMs it from the cancel thread, docs/abi.md §7.8), bacula-fd keeps its pid and runs the next job.

test_32_backend_cancel() {
  local n=backend_cancel T out fd0 fd1 hp jobid='' st i
  require_plugin $n || return 0
  # big enough that the job is still streaming when the cancel arrives
  T=$(mk_tree canceltree -n 2000 --big 16 --big-max-mib 64 --hardlinks 0)
  fd0=$(fd_pid)
  out=$SCRATCH/$n.backup
  H backup-plugin "podheitor-hpc:path=$T" > "$out" 2> "$out.err" &
  hp=$!
  local -a kids=()
  wait_backend "$hp" kids
  [ ${#kids[@]} -gt 0 ] || { wait "$hp" || true; fail $n "no backend process appeared under bacula-fd"; return 0; }
  for ((i = 0; i < 200; i++)); do   # the harness reports "JobId=N queued" on stderr
    jobid=$(queued_jobid "$out.err")
    [ -n "$jobid" ] && break
    sleep 0.05
  done
  [ -n "$jobid" ] || { wait "$hp" || true; fail $n "no JobId from the running backup"; return 0; }
  local t0=$EPOCHREALTIME dt
  H console "cancel jobid=$jobid yes" > "$SCRATCH/$n.cancel" 2>&1 || true
  # the shim SIGKILLs 5 s after its SIGTERM; 60 s is for a loaded machine
  local t1=$SECONDS
  while mapfile -t kids < <(H backend-pids 2>/dev/null); [ ${#kids[@]} -gt 0 ] && [ $((SECONDS - t1)) -lt 60 ]; do
    sleep 0.05
  done
  dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  wait "$hp" || true
  [ ${#kids[@]} -eq 0 ] || { fail $n "backend still running $dt s after the cancel: ${kids[*]}"; return 0; }
  st=$(H jobstatus "$jobid")
  [ "$st" = A ] || { fail $n "job $jobid ended with JobStatus=$st after 'cancel', expected A (did it finish first? make the tree bigger)"; return 0; }
  fd1=$(fd_pid)
  [ -n "$fd1" ] && [ "$fd1" = "$fd0" ] || { fail $n "bacula-fd died or changed pid ($fd0 -> ${fd1:-none})"; return 0; }
  local T2 out2
  T2=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out2=$SCRATCH/$n.after
  hrun "$out2" backup-plugin "podheitor-hpc:path=$T2" || { fail_job $n "the next plugin backup" "$out2"; return 0; }
  pass "$n (job $jobid: JobStatus=A, backend gone $dt s after 'cancel'; FD pid $fd0 alive; next job $(field JobId "$out2") $(field JobStatus "$out2"))"
}
