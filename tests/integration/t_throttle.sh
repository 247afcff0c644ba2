# shellcheck shell=bash
# The throttle (docs/throttle.md) through real Bacula, driven by a real Slurm's load (scripts/lib/slurm-lab.sh,
# node1 only, private ports):
#   101 two running Slurm jobs (node1 has 2 CPUs: one each); `podheitor-hpc throttle-daemon --once` reads the lab's squeue and writes the
#       saturated level (threads 2, pause 200 ms per 256 entries); a backup of 40,000 files starts under it (the job
#       log's first throttle line: threads 32 -> 2); mid-run the file is replaced by a torn one (the last number cut,
#       no newline): exactly one warning, the values kept; then the Slurm jobs end and the daemon writes the idle
#       level: the job log shows threads 2 -> 32 mid-run; the job ends OK and its restore equals the tree.

# the lab of this run: its own state and ports (the 9.6 and 15 runs of scripts/test.sh differ by their ports)
it_slurm_env() {
  export PHPC_SLURM_STATE=$IT_STATE/slurm-lab PHPC_SLURM_NODE2=0
  export PHPC_SLURM_CTLD_PORT=$((PHPC_DIR_PORT + 40)) PHPC_SLURM_SLURMD_PORT=$((PHPC_DIR_PORT + 41))
}

# stops this run's Slurm lab if it is up (also from run.sh's cleanup)
it_slurm_down() {
  [ -d "$IT_STATE/slurm-lab" ] || return 0
  ( it_slurm_env; "$ROOT/scripts/lib/slurm-lab.sh" down > /dev/null 2>&1 ) \
    || echo "slurm-lab.sh down of $IT_STATE/slurm-lab failed (see its log)" >&2
}

test_101_throttle() {
  local n=throttle
  if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
    skip $n "slurm-wlm and munge are not installed (scripts/install-deps.sh installs them)"; return 0
  fi
  th_body
  it_slurm_down
}

# wait (at most 120 s) until job JID's log has a line with TEXT
th_wait_log() { # jid text
  local t0=$SECONDS
  until H joblog "$1" 2> /dev/null | grep -q -F -- "$2"; do
    [ $((SECONDS - t0)) -lt 120 ] || return 1
    sleep 0.5
  done
}

th_body() {
  local n=throttle base T F SQ out fj log i st w down up
  require_plugin $n || return 0
  base=$(trusted_dir "$n")
  T=$(mk_tree throttle40k -n 40000 --big 0 --max-small 256 --symlinks 0 --hardlinks 0 --seed 11) \
    || { fail $n "making the tree failed"; return 0; }
  ( it_slurm_env; "$ROOT/scripts/lib/slurm-lab.sh" up > "$SCRATCH/$n.slurm-up" 2>&1 ) \
    || { cat "$SCRATCH/$n.slurm-up" >&2; fail $n "the Slurm lab did not start"; return 0; }
  SQ=$base/squeue
  printf '#!/bin/sh\nSLURM_CONF=%s/etc/slurm.conf\nexport SLURM_CONF\nexec squeue "$@"\n' "$IT_STATE/slurm-lab" > "$SQ"
  chmod 755 "$SQ"
  for i in 1 2; do
    SLURM_CONF=$IT_STATE/slurm-lab/etc/slurm.conf sbatch --parsable -p backup --mem=50M -t 5 -o /dev/null \
      --wrap 'sleep 240' > /dev/null || { fail $n "sbatch failed"; return 0; }
  done
  for ((i = 0; i < 100; i++)); do
    [ "$("$SQ" -h -t R -o %i | wc -l)" = 2 ] && break
    sleep 0.2
  done
  [ "$("$SQ" -h -t R -o %i | wc -l)" = 2 ] || { fail $n "the 2 Slurm jobs are not running: $("$SQ" -h -t all -o '%i %T %r' | tr '\n' ' ')"; return 0; }
  F=$base/throttle.toml
  daemon() { "$ROOT/bin/podheitor-hpc" throttle-daemon --once --file "$F" --squeue "$SQ" --busy-load 1 --saturated-load 2 2>> "$SCRATCH/$n.daemon"; }
  daemon || { cat "$SCRATCH/$n.daemon" >&2; fail $n "throttle-daemon --once failed"; return 0; }
  grep -qx 'threads = 2' "$F" || { fail $n "2 running jobs did not give the saturated level: $(tr '\n' ' ' < "$F")"; return 0; }
  out=$SCRATCH/$n.full
  H backup-plugin "podheitor-hpc:path=$T;throttle_file=$F" Full > "$out" 2> "$out.err" &
  local job=$! jid
  # wait (not a fixed sleep: a loaded machine starts the job later) until the job has applied the saturated level
  wait_line "$out.err" 'JobId=[0-9]+ queued' 60 || { wait $job; fail $n "no JobId from the throttled Full"; return 0; }
  jid=$(queued_jobid "$out.err")
  th_wait_log "$jid" "throttle: threads 32 -> 2" || { wait $job; fail $n "job $jid: the saturated level was not applied in 120 s"; return 0; }
  # a torn write: the last number cut and no newline, as a writer that is not atomic would leave it
  printf 'threads = 8\nread_buffer_kib = 2048\npause_ms = 2' > "$F.torn" && mv -f "$F.torn" "$F"
  th_wait_log "$jid" "throttle.toml ignored" || { wait $job; fail $n "job $jid: the torn file was not reported in 120 s"; return 0; }
  SLURM_CONF=$IT_STATE/slurm-lab/etc/slurm.conf scancel -p backup
  for ((i = 0; i < 100; i++)); do [ "$("$SQ" -h -t R -o %i | wc -l)" = 0 ] && break; sleep 0.2; done
  daemon || { cat "$SCRATCH/$n.daemon" >&2; fail $n "throttle-daemon --once failed after scancel"; wait $job; return 0; }
  grep -qx 'threads = 64' "$F" || { fail $n "no running job did not give the idle level: $(tr '\n' ' ' < "$F")"; wait $job; return 0; }
  wait $job || true
  cat "$out.err" >&2
  fj=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail_job $n "throttled Full" "$out"; return 0; }
  log=$(H joblog "$fj")
  down=$(grep -c "throttle: threads 32 -> 2, read buffer 4096 -> 512 KiB, pause 0 -> 200 ms" <<< "$log" || true)
  w=$(grep -c "throttle: .*throttle.toml ignored: .*; keeping threads 2" <<< "$log" || true)
  up=$(grep -c "throttle: threads 2 -> 32, read buffer 512 -> 4096 KiB, pause 200 -> 0 ms" <<< "$log" || true)
  note "$(grep -m3 'throttle:' <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-160 | tr '\n' '|')"
  [ "$down" = 1 ] || { fail $n "Full $fj: the saturated level was not applied at the start ($down lines)"; return 0; }
  [ "$w" = 1 ] || { fail $n "Full $fj: $w warnings for the torn file, expected exactly 1"; return 0; }
  [ "$up" = 1 ] || { fail $n "Full $fj: the idle level was not applied mid-run ($up lines)"; return 0; }
  grep -q "Warning: .*throttle.toml ignored" <<< "$log" || { fail $n "the torn file's line is not a job-log warning"; return 0; }
  local R
  R=$(scratch "$n.restore")
  out=$SCRATCH/$n.restore-job
  if ! hrun "$out" restore "$fj" "$R"; then fail_job $n "restore" "$out"; return 0; fi
  if ! H verify "$T" "$R$T" > "$SCRATCH/$n.verify" 2>&1; then
    cat "$SCRATCH/$n.verify" >&2; fail $n "restore of the throttled Full $fj differs from the tree"; return 0
  fi
  pass "$n (Full $fj: saturated -> torn file ignored once -> idle, mid-run, from the real Slurm's squeue; restore verified)"
}
