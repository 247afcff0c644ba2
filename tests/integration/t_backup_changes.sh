# shellcheck shell=bash
# Files that change during a plugin backup (issue 3, item 3). A directory vz/
# of 8 files of 8 MiB and one 'grow' of 64 MiB is watched with a fanotify
# permission watch (scripts/vanish-on-open.py): when the backend opens the first
# v* file for its data, that open waits while all the other v* are deleted
# (listed by the walk, gone at open, or denied when their open had already
# found them; or gone before the walk stats them), and when it opens 'grow',
# 'grow' is cut to half while being read. An inotify watch, used before, only
# learnt of an open after it happened: readers that opened every v* at once got
# past the deletion and nothing vanished (a CI run failed on that). Meanwhile a loop appends 4 KiB blocks to 'append' for the
# whole job.
# Expect: job T, "Backup OK -- with warnings"; one error per vanished file and
# one warning per changed file; a final
# "N files not saved (vanished or unreadable), M changed while being saved"
# warning with the same counts (N >= 1, M >= 1; a file handed off to the shim, docs/ptcomm.md §4.1c, is
# counted by the shim's own closing "K files handed off to the shim changed while being saved" instead, so
# M + K = the per-file warnings); 'grow' and 'append' restored
# consistently (whole blocks, no foreign bytes); the stable files intact.
# Unreadable files (EACCES) are in t_unreadable.sh.

test_75_backup_changing_files() {
  local n=backup_changing_files T out jobid dest blk=4096 i
  require_plugin $n || return 0
  T=$SCRATCH/changing
  rm -rf -- "$T"; mkdir -p "$T/stable" "$T/vz"
  for i in $(seq 1 100); do printf 'stable %s\n' "$i" > "$T/stable/f$i"; done
  head -c $blk /dev/zero | tr '\0' 'A' > "$SCRATCH/$n.block"
  head -c $((64 << 20)) /dev/zero | tr '\0' 'A' > "$T/vz/grow"
  for i in 1 2 3 4 5 6 7 8; do head -c $((8 << 20)) /dev/zero > "$T/vz/v$i"; done
  head -c $((8 << 20)) /dev/zero | tr '\0' 'A' > "$T/append"
  local wlog=$SCRATCH/$n.watch
  python3 "$ROOT/scripts/vanish-on-open.py" "$T/vz" grow > "$wlog" 2>&1 &
  local watch=$!
  wait_line "$wlog" '^READY' 60 \
    || { kill "$watch" 2>/dev/null; cat "$wlog" >&2; fail $n "scripts/vanish-on-open.py was not ready in 60 s"; return 0; }
  ( while :; do cat "$SCRATCH/$n.block" >> "$T/append"; done ) &
  local app=$!
  out=$SCRATCH/$n.backup
  local rc=0
  hrun "$out" backup-plugin "podheitor-hpc:path=$T" || rc=$?
  kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true
  kill "$watch" 2>/dev/null || true; wait "$watch" 2>/dev/null || true
  note "watcher: $(tr '\n' ' ' < "$wlog")"
  jobid=$(field JobId "$out")
  [ "$rc" = 0 ] || { fail_job $n "plugin backup" "$out"; return 0; }
  local st; st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "JobStatus=$st (want T: OK with non-fatal errors)"; return 0; }
  grep -q 'deleted' "$wlog" && grep -q 'cut to half' "$wlog" \
    || { fail $n "the watcher did not see both opens in vz/: $(tr '\n' ' ' < "$wlog")"; return 0; }
  local log nw nc sum
  log=$(H joblog "$jobid")
  nc=$(grep -c 'changed while being saved: size' <<< "$log" || true)
  nw=$(grep -E -c '(cannot (open|stat) .*|no longer a regular file; not saved)' <<< "$log" || true)
  sum=$(grep -o '[0-9]* files not saved (vanished or unreadable), [0-9]* changed while being saved' <<< "$log" || true)
  note "JobId $jobid: status $st, per-file warnings: $nw vanished, $nc changed; summary: '${sum:-none}'"
  [ "$nw" -ge 1 ] || { fail $n "no 'cannot open ...: No such file' error for the vanished files"; return 0; }
  # like stock bacula-fd, a file that could not be saved is a non-fatal error: "Backup OK -- with warnings"
  grep -q 'Termination: *Backup OK -- with warnings' <<< "$log" \
    || { fail $n "termination is not 'Backup OK -- with warnings': $(grep -m1 'Termination:' <<< "$log")"; return 0; }
  local nerr; nerr=$(sed -n 's/.*Non-fatal FD errors: *\([0-9]*\).*/\1/p' <<< "$log" | head -1)
  [ "${nerr:-0}" -ge "$nw" ] || { fail $n "Non-fatal FD errors=${nerr:-?}, want >= $nw (one per file not saved)"; return 0; }
  [ "$nc" -ge 1 ] || { fail $n "no 'changed while being saved' warning for grow"; return 0; }
  local nh
  nh=$(grep -o '[0-9]* files handed off to the shim changed while being saved' <<< "$log" | grep -o '^[0-9]*' || true)
  nh=${nh:-0}
  note "changed files the shim read itself (handoff): $nh"
  [ "$sum" = "$nw files not saved (vanished or unreadable), $((nc - nh)) changed while being saved" ] \
    || { fail $n "summary '${sum:-missing}' + the shim's $nh do not match $nw vanished + $nc changed warnings"; return 0; }
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore" "$SCRATCH/$n.restore"; return 0; fi
  local R=$dest$T sz f
  for f in vz/grow append; do
    sz=$(stat -c %s "$R/$f")
    [ $((sz % blk)) = 0 ] && [ "$sz" -ge $((8 << 20)) ] || { fail $n "$f restored with $sz bytes (torn or short)"; return 0; }
    [ -z "$(tr -d 'A' < "$R/$f" | head -c 1)" ] || { fail $n "$f restored with foreign bytes"; return 0; }
  done
  diff -r "$T/stable" "$R/stable" >&2 || { fail $n "stable/ differs"; return 0; }
  pass "$n (JobId $jobid T: $nw vanished + $nc changed warnings, summary '$sum'; grow $(stat -c %s "$R/vz/grow") B, append $(stat -c %s "$R/append") B: whole blocks; stable/ intact)"
}
