# shellcheck shell=bash
# e. kill -9 of the backend in the middle of a backup: the job ends in error
# with a job-log message about the backend, bacula-fd survives (same PID) and
# the next plugin backup on the same FD succeeds.

fd_wchar() { awk '$1 == "wchar:" {print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }

test_30_backend_kill() {
  local n=backend_kill T out fd0 bpid=0 i
  require_plugin $n || return 0
  # big enough to take a few seconds: ~3000 small files + 8 files of up to 64 MiB
  T=$(mk_tree killtree -n 3000 --big 8 --big-max-mib 64 --hardlinks 0)
  fd0=$(fd_pid)
  out=$SCRATCH/$n.backup
  H backup-plugin "podheitor-hpc:path=$T" > "$out" 2> "$out.err" &
  local hp=$!
  # wait for the backend (a descendant of bacula-fd), let it stream a moment, kill it
  local -a kids=()
  wait_backend "$hp" kids
  if [ ${#kids[@]} -eq 0 ]; then
    wait "$hp" || true
    cat "$out.err" >&2
    fail $n "no backend process appeared under bacula-fd (pid $fd0); JobStatus=$(field JobStatus "$out"): $(job_err "$out")"
    return 0
  fi
  # kill once the backup is streaming: bacula-fd has written IT_KILL_AFTER_MB
  # (default 16) MB to its sockets since the backend appeared
  local w0 w=0 lim=$(( ${IT_KILL_AFTER_MB:-16} * 1000000 ))
  w0=$(fd_wchar "$fd0")
  for ((i = 0; i < 600; i++)); do
    w=$(fd_wchar "$fd0")
    [ $((w - w0)) -ge "$lim" ] && break
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.02
  done
  note "bacula-fd wrote $(( (w - w0) / 1000000 )) MB since the backend appeared"
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  if [ ${#kids[@]} -eq 0 ]; then
    wait "$hp" || true
    fail $n "the backup ended before the backend could be killed (job $(field JobId "$out"): $(field JobStatus "$out")); make the tree bigger or IT_KILL_AFTER_MB smaller"
    return 0
  fi
  local k desc=""
  for k in "${kids[@]}"; do desc+="$k($(cat "/proc/$k/comm" 2>/dev/null || echo '?')) "; done
  note "kill -9 $desc"
  kill -9 "${kids[@]}" 2>/dev/null || true
  local rc=0
  wait "$hp" || rc=$?
  cat "$out.err" >&2
  local jobid st
  jobid=$(field JobId "$out")
  [ -n "$jobid" ] || { fail $n "no JobId from the backup (harness exit $rc)"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "job $jobid ended with JobStatus=$st after the backend was killed, expected E or f"; return 0;; esac
  if ! plugin_log_mentions "$jobid" backend; then
    fail $n "job $jobid log has no podheitor-hpc message about the backend: $(H joblog "$jobid" | grep -i -m2 -e podheitor -e fatal | tr '\n' ' ')"
    return 0
  fi
  local fd1
  fd1=$(fd_pid)
  [ -n "$fd1" ] && [ "$fd1" = "$fd0" ] || { fail $n "bacula-fd died or changed pid ($fd0 -> ${fd1:-none})"; return 0; }
  # no backend left behind
  sleep 1
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  [ ${#kids[@]} -eq 0 ] || note "processes still under bacula-fd after the failed job: ${kids[*]}"
  # the same FD runs the next plugin backup
  local T2 out2
  T2=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out2=$SCRATCH/$n.after
  if ! hrun "$out2" backup-plugin "podheitor-hpc:path=$T2"; then
    fail_job $n "the next plugin backup after the kill" "$out2"; return 0
  fi
  [ "$(fd_pid)" = "$fd0" ] || { fail $n "bacula-fd pid changed during the follow-up backup"; return 0; }
  pass "$n (job $jobid: JobStatus=$st, '$(H joblog "$jobid" | grep -i podheitor-hpc | grep -i -m1 backend | sed 's/^.*JobId [0-9]*: //' | cut -c1-100)'; FD pid $fd0 alive; next job $(field JobId "$out2") T)"
}
