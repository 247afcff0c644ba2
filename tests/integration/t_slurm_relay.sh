# shellcheck shell=bash
# scheduler=slurm (docs/slurm.md §4) through real Bacula and a real Slurm (scripts/lib/slurm-lab.sh with node2 in
# its own network namespace; this run's own state, ports, namespace and addresses):
#   102 a Full whose scan runs in a Slurm job on node1 (relay over AF_UNIX): the job log names the Slurm job and
#       the worker's host, Slurm says COMPLETED, the restore equals the tree; an estimate in Slurm counts what find counts
#   103 the TCP path: the worker on node2 (another network namespace, its own address) connects over TCP with LZ4;
#       an intruder in node2's namespace connects first with a wrong token: refused and logged, the worker gets in
#   104 a sharded pair (shard=0/2, 1/2), each in its own Slurm job: the union of the catalogs is the tree, the two
#       restores together equal it
#   105 scancel of the worker mid-backup: the job fails naming the Slurm job and CANCELLED, bacula-fd keeps its
#       pid, the next scheduler=slurm job is OK
#   106 bconsole cancel mid-backup: the job is Canceled and the Slurm job is CANCELLED (scancel), nothing left queued
#   107 failures before the worker connects: a refused partition, a job pending past slurm_pending_timeout (cancelled,
#       nothing left queued), a worker that exits at once (FAILED, its output quoted)
#   108 a worker killed by its own time limit mid-backup (time=1m): the job fails naming the Slurm job and TIMEOUT,
#       bacula-fd keeps its pid, nothing left queued
# With Bacula 15 the FD runs chrooted in the trixie root, which has no Slurm: slurm_bin names wrappers that run the
# host's commands in the host's root (chroot /proc/PID/root of the lab's munged; a site runs the FD and the Slurm client on one system).

relay_env() {
  local k=$((PHPC_DIR_PORT % 10000))
  export PHPC_SLURM_STATE=$IT_STATE/slurm-relay PHPC_SLURM_NODE2=auto
  export PHPC_SLURM_CTLD_PORT=$((PHPC_DIR_PORT + 45)) PHPC_SLURM_SLURMD_PORT=$((PHPC_DIR_PORT + 46))
  export PHPC_SLURM_SLURMD2_PORT=$((PHPC_DIR_PORT + 47))
  export PHPC_SLURM_NETNS=phpc-rl$k PHPC_SLURM_VETH=phr$k PHPC_SLURM_NET=10.252.$((k % 200 + 20))
}
relay_net() { (relay_env; echo "$PHPC_SLURM_NET"); }
relay_netns() { (relay_env; echo "$PHPC_SLURM_NETNS"); }
relay_sq() { SLURM_CONF=$IT_STATE/slurm-relay/etc/slurm.conf "$@"; }

# stops this run's relay lab (the last test, and run.sh's cleanup through it_slurm_down)
it_slurm_relay_down() {
  [ -d "$IT_STATE/slurm-relay" ] || return 0
  ( relay_env; "$ROOT/scripts/lib/slurm-lab.sh" down > /dev/null 2>&1 ) \
    || echo "slurm-lab.sh down of $IT_STATE/slurm-relay failed (see its log)" >&2
}

# the lab, up once for the tests of this file; prints nothing, returns 1 (with a FAIL/SKIP printed) when it cannot
relay_lab() { # test-name
  if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
    skip "$1" "slurm-wlm and munge are not installed (scripts/install-deps.sh installs them)"; return 1
  fi
  if [ ! -f "$CTX/relay-lab-up" ]; then
    ( relay_env; "$ROOT/scripts/lib/slurm-lab.sh" up > "$SCRATCH/relay-lab.up" 2>&1 ) \
      || { cat "$SCRATCH/relay-lab.up" >&2; fail "$1" "the Slurm lab did not start"; return 1; }
    touch "$CTX/relay-lab-up"
  fi
  if [ "${PHPC_BACULA:-9.6}" != 9.6 ]; then
    # the host's root as the lab's munged sees it (PID 1 of this machine is not dumpable: its /proc root is closed)
    local c pid
    pid=$(relay_env; "$ROOT/scripts/lib/slurm-lab.sh" pids | awk '$1 == "munged" {print $2}')
    [ -n "$pid" ] || { fail "$1" "the Slurm lab's munged has no PID"; return 1; }
    install -d -m 755 "$IT_TRUSTED/slurm-bin"
    for c in sbatch squeue scancel sacct; do
      printf '#!/bin/sh\nexec chroot /proc/%s/root /usr/bin/%s "$@"\n' "$pid" "$c" > "$IT_TRUSTED/slurm-bin/$c"
      chmod 755 "$IT_TRUSTED/slurm-bin/$c"
    done
  fi
}

# the plugin-string keys every test here gives
relay_keys() {
  local k="scheduler=slurm;slurm_conf=$IT_STATE/slurm-relay/etc/slurm.conf;partition=backup;time=${RELAY_TIME:-15m};mem=300M"
  k+=";slurm_output=$SCRATCH/worker-%j.out"
  [ "${PHPC_BACULA:-9.6}" = 9.6 ] || k+=";slurm_bin=$IT_TRUSTED/slurm-bin;spill_dir=$SCRATCH"
  echo "$k"
}

# the Slurm job id the job log names ("scan runs in Slurm job N on ...")
relay_slurm_job() { H joblog "$1" | sed -n 's/.*scan runs in Slurm job \([0-9]*\) on .*/\1/p' | head -1; }

# the state Slurm gives a job id (squeue -t all keeps ended jobs for MinJobAge = 300 s in the lab)
relay_state() { relay_sq squeue -h -t all -j "$1" -o %T 2>/dev/null | head -1; }

# the jobs of ours still pending or running
# wait (at most 60 s: Slurm's epilog and accounting can lag the Bacula job) until Slurm job SJ is in STATE; prints
# the last state seen
relay_wait_state() { # sj state
  local st t0=$SECONDS
  while st=$(relay_state "$1"); [ "$st" != "$2" ] && [ $((SECONDS - t0)) -lt 60 ]; do sleep 0.2; done
  echo "$st"
}
relay_queued() { relay_sq squeue -h -t PD,R,CG,CF -o '%i %j %T' 2>/dev/null | grep ' podheitor-' || true; }

relay_restore_check() { # test-name jobid tree -> 0 when the restore equals the tree
  local R out
  R=$(scratch "$1.restore$2")
  out=$SCRATCH/$1.restore-job$2
  if ! hrun "$out" restore "$2" "$R"; then fail_job "$1" "restore of $2" "$out"; return 1; fi
  if ! H verify "$3" "$R$3" > "$SCRATCH/$1.verify$2" 2>&1; then
    cat "$SCRATCH/$1.verify$2" >&2; fail "$1" "restore of $2 differs from the tree"; return 1
  fi
}

test_102_slurm_scan() {
  local n=slurm_scan T out j sj host st
  require_plugin $n || return 0
  relay_lab $n || return 0
  T=$(mk_tree relay3k -n 3000 --big 3 --big-max-mib 8 --hardlinks 20 --symlinks 10 --odd-bytes --seed 21) \
    || { fail $n "making the tree failed"; return 0; }
  out=$SCRATCH/$n.full
  hrun "$out" backup-plugin "podheitor-hpc:path=$T;$(relay_keys);sbatch_args=--nodelist=node1" Full \
    || { fail_job $n "Full with scheduler=slurm" "$out"; return 0; }
  j=$(field JobId "$out")
  sj=$(relay_slurm_job "$j")
  [ -n "$sj" ] || { fail $n "job $j: no 'scan runs in Slurm job' line in the job log"; return 0; }
  host=$(H joblog "$j" | sed -n 's/.*scan runs in Slurm job [0-9]* on \([^ ]*\) (relay \([a-z]*\).*/\1 \2/p' | head -1)
  [ "${host#* }" = unix ] || { fail $n "job $j: worker not relayed over AF_UNIX: '$host'"; return 0; }
  [ "${host% *}" = "$(hostname)" ] || { fail $n "job $j: worker host '${host% *}', expected node1's $(hostname)"; return 0; }
  st=$(relay_wait_state "$sj" COMPLETED)
  [ "$st" = COMPLETED ] || { fail $n "Slurm job $sj is $st 60 s after the backup, expected COMPLETED"; return 0; }
  relay_restore_check $n "$j" "$T" || return 0
  # an estimate is relayed the same way: the same entries as the backup's
  local est ef
  est=$SCRATCH/$n.estimate
  H estimate-plugin "podheitor-hpc:path=$T;$(relay_keys);sbatch_args=--nodelist=node1" > "$est" 2> "$est.err" \
    || { cat "$est.err" >&2; fail $n "estimate with scheduler=slurm failed: $(tail -3 "$est" | tr '\n' ' ')"; return 0; }
  ef=$(field Estimate_files "$est")
  [ "$ef" = "$(tree_count "$T")" ] \
    || { fail $n "estimate with scheduler=slurm: $ef files, find counts $(tree_count "$T")"; return 0; }
  pass "$n (Full $j: scan in Slurm job $sj on ${host% *} over AF_UNIX, COMPLETED; restore verified; estimate in Slurm: $ef entries = find)"
}

test_103_slurm_tcp() {
  local n=slurm_tcp T out j sj net ns port line intr
  require_plugin $n || return 0
  relay_lab $n || return 0
  grep -q node2 < <(relay_env; "$ROOT/scripts/lib/slurm-lab.sh" nodes) \
    || { skip $n "the Slurm lab has no node2 (no network namespaces here)"; return 0; }
  T=$(mk_tree relay3k -n 3000 --big 3 --big-max-mib 8 --hardlinks 20 --symlinks 10 --odd-bytes --seed 21)
  net=$(relay_net); ns=$(relay_netns); port=$((PHPC_DIR_PORT + 48))
  # the intruder: from node2's namespace, connects as soon as the port listens and says a wrong token
  intr=$SCRATCH/$n.intruder
  nsenter --net="/run/netns/$ns" python3 - "$net.1" "$port" > "$intr" 2>&1 <<'PY' &
import socket, sys, time
end = time.time() + 60
while time.time() < end:
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    except OSError:
        time.sleep(0.05)
        continue
    s.sendall(b"PHPC-RELAY 1 token=" + b"0" * 64 + b" job=- host=intruder lz4=no\n")
    s.settimeout(15)
    print("answer:", s.recv(100) or b"(closed)")
    sys.exit(0)
print("never connected")
PY
  local ip=$!
  out=$SCRATCH/$n.full
  hrun "$out" backup-plugin "podheitor-hpc:path=$T;$(relay_keys);sbatch_args=--nodelist=node2 --begin=now+2;relay_bind=$net.1;relay_port=$port;relay_lz4=yes" Full \
    || { wait $ip || true; fail_job $n "Full with the worker on node2" "$out"; return 0; }
  wait $ip || true
  j=$(field JobId "$out")
  sj=$(relay_slurm_job "$j")
  line=$(H joblog "$j" | grep -m1 'scan runs in Slurm job' || true)
  # both ends use liblz4 through FFM (the host's, and on Bacula 15 the trixie root's); the blocks are lz4-java's
  grep -q "on $net.2 (relay tcp from $net.2:[0-9]*, lz4: liblz4\.so\.1 1\.[0-9]*\.[0-9]* (FFM))" <<< "$line" \
    || { fail $n "job $j: not relayed over TCP with native LZ4 from node2: '${line#*: }'"; return 0; }
  grep -q "connected to the submitter (tcp, lz4: liblz4\.so\.1 1\.[0-9]*\.[0-9]* (FFM))" "$SCRATCH/worker-$sj.out" \
    || { fail $n "Slurm job $sj: the worker does not report native LZ4: $(head -c 300 "$SCRATCH/worker-$sj.out")"
         return 0; }
  grep -q 'answer: b.(closed)' "$intr" || { fail $n "the intruder was not refused: $(cat "$intr")"; return 0; }
  H joblog "$j" | grep -q "relay: refused a connection from $net.2:[0-9]*: wrong token" \
    || { fail $n "job $j: no 'refused ... wrong token' line in the job log"; return 0; }
  relay_restore_check $n "$j" "$T" || return 0
  pass "$n (Full $j: Slurm job $sj on node2 $net.2, relay TCP + LZ4 (liblz4 through FFM at both ends); a wrong token from $net.2 refused and logged; restore verified)"
}

test_104_slurm_shards() {
  local n=slurm_shards T k out jobs=() sjobs=() msg all j v
  require_plugin $n || return 0
  relay_lab $n || return 0
  T=$(mk_tree relayshards -n 2000 --big 2 --big-max-mib 2 --hardlinks 20 --symlinks 10 --odd-bytes --seed 22)
  for k in 0 1; do
    out=$SCRATCH/$n.full$k
    hrun "$out" backup-plugin "podheitor-hpc:path=$T;shard=$k/2;$(relay_keys)" Full \
      || { fail_job $n "Full of shard $k/2 in Slurm" "$out"; return 0; }
    jobs+=("$(field JobId "$out")")
    sjobs+=("$(relay_slurm_job "${jobs[k]}")")
    [ -n "${sjobs[k]}" ] || { fail $n "job ${jobs[k]}: no Slurm job in its log"; return 0; }
    plugin_log_mentions "${jobs[k]}" "shard: inode-hash $k/2" \
      || { fail $n "job ${jobs[k]} does not log 'shard: inode-hash $k/2'"; return 0; }
  done
  [ "${sjobs[0]}" != "${sjobs[1]}" ] || { fail $n "both shards name Slurm job ${sjobs[0]}"; return 0; }
  shard_catalogs "${jobs[@]}" > "$SCRATCH/$n.catalogs"
  msg=$(shard_union_check "$T" "$SCRATCH/$n.catalogs") || { fail $n "Fulls ${jobs[*]}: $msg"; return 0; }
  all=$(scratch "$n.all")
  for j in "${jobs[@]}"; do
    hrun "$SCRATCH/$n.restore$j" restore "$j" "$all" || { fail_job $n "restore of $j" "$SCRATCH/$n.restore$j"; return 0; }
  done
  if ! v=$(H verify "$T" "$all" 2>&1); then
    echo "$v" >&2; fail $n "the two shards restored together differ from the tree"; return 0
  fi
  pass "$n (Fulls ${jobs[*]} in Slurm jobs ${sjobs[*]}: $msg; restored together = the tree)"
}

# a backup slowed by the throttle file (PAUSE ms, default 1000, per 256 entries): ~80 s unless stopped; prints the
# harness's background PID into the variable named $2, the Bacula job id into $3 and the Slurm job id into $4
relay_slow_backup() { # test-name pid-var jobid-var slurmjob-var [pause-ms]
  local n=$1 T F out i line
  local -n _hp=$2 _j=$3 _sj=$4
  T=$(mk_tree relayslow -n 20000 --big 0 --max-small 128 --symlinks 0 --hardlinks 0 --seed 23)
  F=$SCRATCH/$n.throttle.toml
  printf 'threads = 1\nread_buffer_kib = 64\npause_ms = %s\n' "${5:-1000}" > "$F"
  out=$SCRATCH/$n.slow
  : > "$out.err"
  H backup-plugin "podheitor-hpc:path=$T;$(relay_keys);throttle_file=$F" Full > "$out" 2> "$out.err" &
  _hp=$!
  _j=''; _sj=''
  for ((i = 0; i < 600; i++)); do
    [ -n "$_j" ] || _j=$(queued_jobid "$out.err" || true)
    line=$(relay_sq squeue -h -t R -o '%i %j' 2>/dev/null | grep ' podheitor-' | head -1 || true)
    if [ -n "$_j" ] && [ -n "$line" ] && [ -n "$(H backend-pids 2>/dev/null)" ]; then
      _sj=${line%% *}
      break
    fi
    kill -0 "$_hp" 2>/dev/null || break
    sleep 0.1
  done
  # the worker connected and is streaming (it connects ~1-2 s after it starts running; up to 60 s on a loaded machine)
  [ -z "$_sj" ] || wait_line "$SCRATCH/worker-$_sj.out" 'connected to the submitter' 60 || true
  sleep 1
}

test_105_slurm_scancel() {
  local n=slurm_scancel hp j sj fd0 fd1 st out2 T2 log
  require_plugin $n || return 0
  relay_lab $n || return 0
  fd0=$(fd_pid)
  relay_slow_backup $n hp j sj
  [ -n "$sj" ] && [ -n "$j" ] || { wait "$hp" || true; fail $n "the slow backup did not start a Slurm job (job '$j')"; return 0; }
  relay_sq scancel "$sj"
  wait "$hp" || true
  st=$(H jobstatus "$j")
  [ "$st" = f ] || [ "$st" = E ] || { fail $n "job $j ended $st after scancel of Slurm job $sj, expected f or E"; return 0; }
  log=$(H joblog "$j")
  grep -q "Slurm job $sj .*CANCELLED" <<< "$log" \
    || { fail $n "job $j: the log does not name Slurm job $sj and CANCELLED: $(job_err "$j")"; return 0; }
  fd1=$(fd_pid)
  [ -n "$fd1" ] && [ "$fd1" = "$fd0" ] || { fail $n "bacula-fd died or changed pid ($fd0 -> ${fd1:-none})"; return 0; }
  T2=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out2=$SCRATCH/$n.after
  hrun "$out2" backup-plugin "podheitor-hpc:path=$T2;$(relay_keys)" || { fail_job $n "the next scheduler=slurm job" "$out2"; return 0; }
  note "$(grep -m1 "Slurm job $sj" <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-200)"
  pass "$n (job $j: Slurm job $sj scancelled mid-backup -> JobStatus $st naming it and CANCELLED; FD pid $fd0 alive; next job $(field JobId "$out2") $(field JobStatus "$out2"))"
}

test_106_slurm_cancel() {
  local n=slurm_cancel hp j sj st q
  require_plugin $n || return 0
  relay_lab $n || return 0
  relay_slow_backup $n hp j sj
  [ -n "$sj" ] && [ -n "$j" ] || { wait "$hp" || true; fail $n "the slow backup did not start a Slurm job (job '$j')"; return 0; }
  H console "cancel jobid=$j yes" > "$SCRATCH/$n.cancel" 2>&1 || true
  wait "$hp" || true
  st=$(relay_wait_state "$sj" CANCELLED)
  [ "$st" = CANCELLED ] || { fail $n "Slurm job $sj is '$st' 60 s after the Bacula cancel, expected CANCELLED"; return 0; }
  [ "$(H jobstatus "$j")" = A ] || { fail $n "job $j ended $(H jobstatus "$j"), expected A"; return 0; }
  q=$(relay_queued)
  [ -z "$q" ] || { fail $n "jobs left in the queue after the cancel: $q"; return 0; }
  pass "$n (job $j cancelled in bconsole -> Slurm job $sj CANCELLED, nothing left queued)"
}

test_108_slurm_timeout() {
  local n=slurm_timeout hp j sj fd0 fd1 st log q t0
  require_plugin $n || return 0
  relay_lab $n || return 0
  fd0=$(fd_pid)
  t0=$SECONDS
  # 2 s per 256 entries: ~160 s of scan under a 1-minute limit, which slurmctld enforces within about a minute
  RELAY_TIME=1m relay_slow_backup $n hp j sj 2000
  [ -n "$sj" ] && [ -n "$j" ] || { wait "$hp" || true; fail $n "the slow backup did not start a Slurm job (job '$j')"; return 0; }
  wait "$hp" || true
  st=$(H jobstatus "$j")
  [ "$st" = f ] || [ "$st" = E ] || { fail $n "job $j ended $st under a 1-minute Slurm limit, expected f or E"; return 0; }
  [ "$(relay_state "$sj")" = TIMEOUT ] || { fail $n "Slurm job $sj is '$(relay_state "$sj")', expected TIMEOUT"; return 0; }
  log=$(H joblog "$j")
  grep -q "Slurm job $sj .*TIMEOUT" <<< "$log" \
    || { fail $n "job $j: the log does not name Slurm job $sj and TIMEOUT: $(job_err "$j")"; return 0; }
  fd1=$(fd_pid)
  [ -n "$fd1" ] && [ "$fd1" = "$fd0" ] || { fail $n "bacula-fd died or changed pid ($fd0 -> ${fd1:-none})"; return 0; }
  q=$(relay_queued)
  [ -z "$q" ] || { fail $n "jobs left in the queue: $q"; return 0; }
  note "$(grep -m1 "Slurm job $sj .*TIMEOUT" <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-200)"
  it_slurm_relay_down   # the last test of this file
  rm -f "$CTX/relay-lab-up"
  pass "$n (job $j: Slurm job $sj killed by its 1-minute limit after $((SECONDS - t0)) s -> JobStatus $st naming it and TIMEOUT; FD pid $fd0 alive; nothing queued)"
}

# a backup that must fail before its worker connects, with a job-log line matching REGEX; 1 after a FAIL line
relay_must_fail() { # test-name what plugin-keys regex
  local out=$SCRATCH/$1.$RANDOM j
  if hrun "$out" backup-plugin "podheitor-hpc:$3"; then fail "$1" "$2: the backup succeeded"; return 1; fi
  j=$(field JobId "$out")
  H joblog "$j" | grep -q -- "$4" || { fail "$1" "$2: job $j has no line like '$4': $(job_err "$j")"; return 1; }
  local q
  q=$(relay_queued)
  [ -z "$q" ] || { fail "$1" "$2: jobs left in the queue: $q"; return 1; }
}

test_107_slurm_failures() {
  local n=slurm_failures T
  require_plugin $n || return 0
  relay_lab $n || return 0
  T=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  relay_must_fail $n "partition nosuch" "path=$T;$(relay_keys | sed 's/partition=backup/partition=nosuch/')" \
    "Slurm refused the job: .*nvalid partition" || return 0
  relay_must_fail $n "a job that cannot start" "path=$T;$(relay_keys);sbatch_args=--begin=now+3600;slurm_pending_timeout=4" \
    "Slurm job [0-9]* still PENDING (BeginTime) after 4 s (slurm_pending_timeout): cancelled" || return 0
  relay_must_fail $n "a worker that exits at once" "path=$T;$(relay_keys);worker_command=/bin/false" \
    "Slurm job [0-9]* ended FAILED.* before its worker connected" || return 0
  pass "$n (refused partition, pending past the timeout -> cancelled, a worker exiting at once -> FAILED; each named in the job log, nothing left queued)"
}
