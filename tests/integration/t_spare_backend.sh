# shellcheck shell=bash
# spare_backend=N through the real bacula-fd (shim-c/spare.c, docs/abi.md §7.2): a backup with the key leaves one
# backend running after it ends; the next backup takes that process over (its job log names the pid) instead of
# starting a JVM, and restores byte-exact; it leaves a new spare in turn; a backup without the key takes the spare
# over and leaves none, so bacula-fd has no child between jobs again.

sb_pids() { H backend-pids 2> /dev/null || true; }

# wait (up to 20 s) until bacula-fd has exactly one descendant, print it
sb_wait_spare() {
  local i p
  for ((i = 0; i < 100; i++)); do
    mapfile -t p < <(sb_pids)
    if [ ${#p[@]} -ge 1 ]; then
      # the launcher execs the JVM: one process, whose pid the shim knows
      [ ${#p[@]} -eq 1 ] && { echo "${p[0]}"; return 0; }
    fi
    sleep 0.2
  done
  return 1
}

# a failure must not leave a spare to the later tests: a backup without the key takes it over and ends it
sb_drop_spare() { # tree
  [ -n "$(sb_pids)" ] || return 0
  hrun "$SCRATCH/spare_backend.drop" backup-plugin "podheitor-hpc:path=$1" > /dev/null 2>&1 || true
}

test_79_spare_backend() {
  local n=spare_backend T out j1 j2 j3 log spare next dest
  require_plugin $n || return 0
  T=$(scratch "$n.tree")
  mkdir -p "$T/sub"
  head -c $((3 << 20)) /dev/urandom > "$T/big"
  for i in 1 2 3; do printf 'small %s\n' "$i" > "$T/sub/s$i"; done
  [ -z "$(sb_pids)" ] || { fail $n "bacula-fd has children before the test: $(sb_pids | tr '\n' ' ')"; return 0; }

  out=$SCRATCH/$n.1
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;spare_backend=300"; then fail_job $n "first backup" "$out"; return 0; fi
  j1=$(field JobId "$out")
  spare=$(sb_wait_spare) || { fail $n "no spare backend after job $j1 (bacula-fd's children: $(sb_pids | tr '\n' ' '))"; sb_drop_spare "$T"; return 0; }

  out=$SCRATCH/$n.2
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;spare_backend=300"; then fail_job $n "second backup" "$out"; sb_drop_spare "$T"; return 0; fi
  j2=$(field JobId "$out")
  log=$(H joblog "$j2")
  grep -q "took over the spare backend (pid $spare)" <<< "$log" \
    || { fail $n "job $j2 did not take over the spare $spare: $(grep -i -m2 -e spare -e backend <<< "$log" | tr '\n' ' ')"; sb_drop_spare "$T"; return 0; }
  [ "$(field JobStatus "$out")" = T ] || { fail $n "job $j2: JobStatus=$(field JobStatus "$out")"; sb_drop_spare "$T"; return 0; }
  next=$(sb_wait_spare) || { fail $n "no spare after job $j2"; sb_drop_spare "$T"; return 0; }
  [ "$next" != "$spare" ] || { fail $n "the spare after job $j2 is the one it took over ($spare)"; sb_drop_spare "$T"; return 0; }

  dest=$(scratch "$n.dest")
  if ! hrun "$SCRATCH/$n.restore" restore "$j2" "$dest"; then fail_job $n "restore of $j2" "$SCRATCH/$n.restore"; sb_drop_spare "$T"; return 0; fi
  if ! H verify "$T" "$dest$T" > "$SCRATCH/$n.verify" 2>&1; then
    fail $n "restore of job $j2 differs: $(tail -n 1 "$SCRATCH/$n.verify")"; sb_drop_spare "$T"; return 0
  fi

  out=$SCRATCH/$n.3
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "backup without the key" "$out"; sb_drop_spare "$T"; return 0; fi
  j3=$(field JobId "$out")
  grep -q "took over the spare backend (pid $next)" <<< "$(H joblog "$j3")" \
    || { fail $n "job $j3 (no key) did not take over the spare $next"; sb_drop_spare "$T"; return 0; }
  sleep 0.5
  [ -z "$(sb_pids)" ] || { fail $n "bacula-fd has children after job $j3 without the key: $(sb_pids | tr '\n' ' ')"; return 0; }
  rm -rf -- "$dest"
  pass "$n (job $j1 left spare $spare; job $j2 took it over, restore byte-exact, left spare $next; job $j3 without the key took that over and left none)"
}
