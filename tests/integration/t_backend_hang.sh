# shellcheck shell=bash
# f. A hung backend: SIGSTOP it in the middle of a backup with the plugin key
# timeout=5. The job must fail within timeout + slack with a message naming
# the timeout, the stopped backend must be killed and reaped, bacula-fd
# survives (same PID) and the next plugin backup on the same FD succeeds.

test_31_backend_hang() {
  local n=backend_hang T out fd0 i tmo=5
  require_plugin $n || return 0
  T=$(mk_tree killtree -n 3000 --big 8 --big-max-mib 64 --hardlinks 0)   # shared with test_30
  fd0=$(fd_pid)
  out=$SCRATCH/$n.backup
  H backup-plugin "podheitor-hpc:path=$T;timeout=$tmo" > "$out" 2> "$out.err" &
  local hp=$!
  local -a kids=()
  wait_backend "$hp" kids
  [ ${#kids[@]} -gt 0 ] || { wait "$hp" || true; fail $n "no backend process appeared under bacula-fd"; return 0; }
  # stop it once the backup streams (bacula-fd wrote 4 MB since the backend appeared)
  local w0 w=0
  w0=$(fd_wchar "$fd0")
  for ((i = 0; i < 600; i++)); do
    w=$(fd_wchar "$fd0")
    [ $((w - w0)) -ge 4000000 ] && break
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.02
  done
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  [ ${#kids[@]} -gt 0 ] || { wait "$hp" || true; fail $n "the backup ended before the backend could be stopped"; return 0; }
  note "SIGSTOP ${kids[*]} after bacula-fd wrote $(( (w - w0) / 1000000 )) MB"
  local t0 t1
  t0=$(date +%s)
  kill -STOP "${kids[@]}" 2>/dev/null || true
  local rc=0
  wait "$hp" || rc=$?
  t1=$(date +%s)
  cat "$out.err" >&2
  local jobid st
  jobid=$(field JobId "$out")
  [ -n "$jobid" ] || { kill -KILL "${kids[@]}" 2>/dev/null; fail $n "no JobId from the backup (harness exit $rc)"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) kill -KILL "${kids[@]}" 2>/dev/null; fail $n "job $jobid ended with JobStatus=$st after the backend was stopped, expected E or f"; return 0;; esac
  local took=$((t1 - t0)) slack=60       # far below the default timeout (300 s); room for a loaded machine
  [ "$took" -le $((tmo + slack)) ] || { fail $n "job $jobid took $took s after SIGSTOP (timeout $tmo s + $slack s slack)"; return 0; }
  local msg
  msg=$(H joblog "$jobid" | grep -m1 "did not answer within $tmo s (plugin key timeout=$tmo)" || true)
  [ -n "$msg" ] || { fail $n "job $jobid log does not name the timeout: $(H joblog "$jobid" | grep -i -m3 -e podheitor -e fatal | tr '\n' ' ')"; return 0; }
  # the stopped backend is gone (killed and reaped: no zombie, no stopped process)
  local k left=()
  for k in "${kids[@]}"; do [ -e "/proc/$k" ] && left+=("$k($(awk '/^State:/ {print $2}' "/proc/$k/status" 2>/dev/null))"); done
  if [ ${#left[@]} -gt 0 ]; then
    kill -KILL "${kids[@]}" 2>/dev/null || true
    fail $n "stopped backend processes still exist after the job: ${left[*]}"; return 0
  fi
  [ "$(fd_pid)" = "$fd0" ] || { fail $n "bacula-fd died or changed pid"; return 0; }
  local T2 out2
  T2=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out2=$SCRATCH/$n.after
  if ! hrun "$out2" backup-plugin "podheitor-hpc:path=$T2"; then
    fail_job $n "the next plugin backup after the hang" "$out2"; return 0
  fi
  pass "$n (job $jobid: JobStatus=$st $took s after SIGSTOP, '$(echo "$msg" | sed 's/^.*JobId [0-9]*: //' | cut -c1-110)'; backend reaped; FD pid $fd0 alive; next job $(field JobId "$out2") T)"
}
