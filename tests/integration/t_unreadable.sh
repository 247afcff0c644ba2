# shellcheck shell=bash
# Unreadable files during a plugin backup (issue 3): root squash emulated. Root bypasses
# permissions on ext4, so the backend runs without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
# (plugin key backend= names a wrapper, in a directory only root can write, that starts the real
# launcher under setpriv); it then meets permissions as a root-squashed client of NFS/Lustre does.
# Restores ignore the stored backend= and run the installed launcher, unsquashed (docs/security.md).
#   77  Full: unreadable files (0600, another owner), an unreadable directory (0700, another
#       owner, with contents) and a directory that can be listed but not searched (0744):
#       one error each naming it with "Permission denied", the summary count, everything
#       else saved, "Backup OK -- with warnings" with JobErrors = the count; the restore of
#       the rest verifies. The catalog equals that of a stock bacula-fd backup of the same
#       tree run without the same capabilities (second FD, harness up2 --no-dac), except
#       for the two unreadable regular files: the stock FD stores their attributes (and a
#       restore then creates them EMPTY), the plugin leaves them out.
#   78  Accurate: Full with the capabilities, then two Accurate Incrementals without them, after
#       the unreadable entries changed (ctime): the unreadable file, the unreadable directory
#       and everything below it, and the entry that cannot be stat'ed are NOT recorded deleted
#       and get no new version; files that vanish during the first Incremental (ENOENT at open)
#       ARE recorded deleted -- by the second one at the latest: bacula-fd's checkChanges marks
#       every entry it finds as seen in Incremental/Differential, so a file that vanishes after
#       it was listed and checked is recorded deleted by the next job, as with the stock FD --
#       and restore-latest equals the live tree exactly.

UR_OTHER=54321

# a backend launcher at PATH that runs the real one, squashed (on) or not (off); the plugin
# string stays the same, so both kinds of run belong to one Job and FileSet
ur_wrapper() { # path on|off
  local real=$ROOT/bin/podheitor-hpc-backend
  mkdir -p -- "$(dirname "$1")"
  if [ "$2" = on ]; then
    printf '#!/bin/sh\n# root squash emulation (tests/integration/t_unreadable.sh)\nexec setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search -- %s "$@"\n' "$real" > "$1.tmp"
  else
    printf '#!/bin/sh\nexec %s "$@"\n' "$real" > "$1.tmp"
  fi
  chmod 755 "$1.tmp"
  mv -f -- "$1.tmp" "$1"
}

# own the unreadable entries by another uid: files 0600, directory 0700, directory 0744 (not searchable)
ur_lock() { # file... -- dir -- dir744
  local f
  while [ "$1" != -- ]; do chown $UR_OTHER:$UR_OTHER "$1"; chmod 600 "$1"; shift; done; shift
  while [ "$1" != -- ]; do chown -R $UR_OTHER:$UR_OTHER "$1"; chmod 700 "$1"; shift; done; shift
  for f in "$@"; do chown -R $UR_OTHER:$UR_OTHER "$f"; chmod 744 "$f"; done
}

ur_names() { # jobid saved|deleted -> catalog names (sorted)
  local cmp='>'
  [ "$2" = deleted ] && cmp='<'
  H query "SELECT Name FROM PhpcFile WHERE JobId = $1 AND FileIndex $cmp 0 ORDER BY 1"
}

test_77_unreadable_backup() {
  local n=unreadable_backup T W out jobid log st nerr e
  require_plugin $n || return 0
  command -v setpriv >/dev/null || { fail $n "setpriv (util-linux) not found"; return 0; }
  T=$SCRATCH/unreadable; W=$(trusted_dir "$n")/backend
  rm -rf -- "$T"; mkdir -p "$T/ok/sub" "$T/locked/sub" "$T/noexec"
  printf 'a\n' > "$T/ok/a"; printf 'b\n' > "$T/ok/sub/b"
  head -c $((1 << 20)) /dev/urandom > "$T/ok/big"            # read by the emitter, not ahead
  printf 'small secret\n' > "$T/secret"                       # read ahead by the walker: fails there too
  head -c $((1 << 20)) /dev/urandom > "$T/secret-big"
  : > "$T/secret-empty"                                       # empty: saved, no open needed
  printf 'x\n' > "$T/locked/x"; printf 'y\n' > "$T/locked/sub/y"
  printf 'f\n' > "$T/noexec/f"
  ur_lock "$T/secret" "$T/secret-big" "$T/secret-empty" -- "$T/locked" -- "$T/noexec"
  ur_wrapper "$W" on
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;backend=$W"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out"); st=$(field JobStatus "$out")
  log=$(H joblog "$jobid")
  [ "$st" = T ] || { fail $n "JobStatus=$st, want T"; return 0; }
  grep -q 'Termination: *Backup OK -- with warnings' <<< "$log" \
    || { fail $n "termination: $(grep -m1 'Termination:' <<< "$log")"; return 0; }
  local -a want=("cannot open \"$T/secret\": Permission denied" "cannot open \"$T/secret-big\": Permission denied"
                 "cannot open directory \"$T/locked\": Permission denied" "cannot stat \"$T/noexec/f\": Permission denied")
  for e in "${want[@]}"; do
    [ "$(grep -c -F -- "$e" <<< "$log")" = 1 ] || { fail $n "job $jobid: not exactly one '$e' in the log"; return 0; }
  done
  grep -q 'podheitor-hpc: 4 files not saved (vanished or unreadable), 0 changed while being saved' <<< "$log" \
    || { fail $n "job $jobid: no summary '4 files not saved ...'"; return 0; }
  nerr=$(field JobErrors "$out")
  [ "$nerr" = 4 ] || { fail $n "JobErrors=$nerr, want 4 (one per entry not saved)"; return 0; }
  # the rest restored and verified by the unsquashed backend (the files belong to uid $UR_OTHER): a restore
  # runs the installed launcher whatever backend= the backup stored; the wrapper goes unsquashed anyway
  ur_wrapper "$W" off
  local dest v
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  if ! v=$(H verify "$T" "$dest" --allow-missing secret --allow-missing secret-big --allow-missing locked \
             --allow-missing noexec/f 2>&1); then
    echo "$v" >&2; fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  grep -q 'allowed_missing=7$' <<< "$v" || { fail $n "verify: want exactly 7 missing (secret, secret-big, locked + its 3 entries, noexec/f): $v"; return 0; }
  note "$v"
  # stock bacula-fd on the same tree without the same capabilities (the second FD)
  H up2 --no-dac >&2 || { fail $n "could not start the second bacula-fd without DAC capabilities"; return 0; }
  out=$SCRATCH/$n.stock
  local sj=""
  hrun "$out" backup "$T" Full Client=phpc-fd2 || true
  sj=$(field JobId "$out")
  H down2 >&2 || true
  [ -n "$sj" ] && [ "$(field JobStatus "$out")" = T ] || { fail_job $n "stock backup on phpc-fd2" "$out"; return 0; }
  local slog; slog=$(H joblog "$sj")
  grep -q "Cannot open \"$T/secret\": ERR=Permission denied" <<< "$slog" \
    || { fail $n "stock job $sj: no 'Cannot open ... Permission denied' (premise: fd2 squashed)"; return 0; }
  ur_names "$jobid" saved > "$SCRATCH/$n.plugin.names"
  ur_names "$sj" saved | grep -v -x -F -e "$T/secret" -e "$T/secret-big" > "$SCRATCH/$n.stock.names" || true
  diff "$SCRATCH/$n.stock.names" "$SCRATCH/$n.plugin.names" >&2 \
    || { fail $n "catalog of plugin job $jobid != stock job $sj minus secret, secret-big (diff in the log)"; return 0; }
  ur_names "$sj" saved | grep -x -F "$T/secret-big" >/dev/null || { fail $n "stock job $sj has no secret-big entry (premise)"; return 0; }
  [ "$(field JobErrors "$out")" = "$nerr" ] || { fail $n "stock JobErrors=$(field JobErrors "$out"), plugin $nerr"; return 0; }
  rm -rf -- "$dest"
  pass "$n (JobId $jobid T 'with warnings', JobErrors $nerr: secret, secret-big, locked/, noexec/f not saved, one 'Permission denied' each + summary; rest verified; catalog = stock job $sj minus the 2 attribute-only files)"
}

test_78_unreadable_accurate() {
  local n=unreadable_accurate T W out fj i1 i2 jname log i
  require_plugin $n || return 0
  command -v setpriv >/dev/null || { fail $n "setpriv (util-linux) not found"; return 0; }
  T=$SCRATCH/unreadable-acc; W=$(trusted_dir "$n")/backend
  rm -rf -- "$T"; mkdir -p "$T/ok" "$T/locked/sub" "$T/noexec" "$T/vz"
  printf 'a\n' > "$T/ok/a"
  printf 'secret v1\n' > "$T/secret"
  printf 'x\n' > "$T/locked/x"; printf 'y\n' > "$T/locked/sub/y"
  printf 'f\n' > "$T/noexec/f"
  for i in 1 2 3 4; do head -c $((1 << 20)) /dev/urandom > "$T/vz/v$i"; done
  ur_lock "$T/secret" -- "$T/locked" -- "$T/noexec"
  ur_wrapper "$W" off
  local ps="podheitor-hpc:path=$T;backend=$W"
  sleep 1.2                      # the tree's ctimes older than the Full's start
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  ur_names "$fj" saved | grep -x -F "$T/locked/sub/y" >/dev/null || { fail $n "Full $fj did not save locked/sub/y (premise)"; return 0; }
  sleep 1.2
  # changes after the Full: the unreadable entries change their ctime only (same owner again),
  # vz/ is rewritten (so it is re-read), and one new file
  local c0; c0=$(stat -c %Z "$T/secret")
  chown $UR_OTHER:$UR_OTHER "$T/secret" "$T/locked" "$T/noexec/f"
  [ "$(stat -c %Z "$T/secret")" != "$c0" ] || { fail $n "chown did not change the ctime of secret (premise)"; return 0; }
  for i in 1 2 3 4; do head -c $((1 << 20)) /dev/urandom > "$T/vz/v$i"; done
  printf 'new\n' > "$T/ok/new"
  ur_wrapper "$W" on
  # the first v* the backend opens deletes the other three: listed, gone at open (ENOENT)
  local wlog=$SCRATCH/$n.watch
  python3 "$ROOT/scripts/vanish-on-open.py" "$T/vz" no-such-name > "$wlog" 2>&1 &
  local watch=$!
  wait_line "$wlog" '^READY' 60 \
    || { kill "$watch" 2>/dev/null; ur_wrapper "$W" off; cat "$wlog" >&2; fail $n "scripts/vanish-on-open.py was not ready in 60 s"; return 0; }
  out=$SCRATCH/$n.incr1
  local rc=0
  hrun "$out" backup-plugin "$ps" Incremental Accurate=yes || rc=$?
  kill "$watch" 2>/dev/null || true; wait "$watch" 2>/dev/null || true
  i1=$(field JobId "$out")
  [ "$rc" = 0 ] || { ur_wrapper "$W" off; fail_job $n "Accurate Incremental" "$out"; return 0; }
  note "watcher: $(tr '\n' ' ' < "$wlog")"
  grep -q 'deleted 3' "$wlog" || { ur_wrapper "$W" off; fail $n "the watcher did not delete 3 files of vz/: $(tr '\n' ' ' < "$wlog")"; return 0; }
  [ "$(sed -n 's/^Kind=.* Level=\([A-Z]\).*/\1/p' "$out")" = I ] || { ur_wrapper "$W" off; fail $n "job $i1 did not run as an Incremental"; return 0; }
  log=$(H joblog "$i1")
  grep -q "cannot open \"$T/secret\": Permission denied" <<< "$log" && grep -q "cannot open directory \"$T/locked\": Permission denied" <<< "$log" \
    && grep -q "cannot stat \"$T/noexec/f\": Permission denied" <<< "$log" \
    || { ur_wrapper "$W" off; fail $n "Incremental $i1: no 'Permission denied' for secret, locked and noexec/f (was it squashed?)"; return 0; }
  grep -q 'accurate: .*, 3 unreadable kept (not recorded deleted)' <<< "$log" \
    || { ur_wrapper "$W" off; fail $n "Incremental $i1: no 'accurate: ... 3 unreadable kept' message"; return 0; }
  # a second Incremental, still squashed, nothing changed
  out=$SCRATCH/$n.incr2
  rc=0
  hrun "$out" backup-plugin "$ps" Incremental Accurate=yes || rc=$?
  ur_wrapper "$W" off
  i2=$(field JobId "$out")
  [ "$rc" = 0 ] || { fail_job $n "second Accurate Incremental" "$out"; return 0; }
  local j del saved e gone=() dels=""
  for j in "$i1" "$i2"; do
    del=$(ur_names "$j" deleted); saved=$(ur_names "$j" saved)
    dels+=$del$'\n'
    note "Incremental $j recorded deleted: $(tr '\n' ' ' <<< "$del")"
    for e in "$T/secret" "$T/locked/" "$T/locked/x" "$T/locked/sub/" "$T/locked/sub/y" "$T/noexec/f"; do
      ! grep -q -x -F -- "$e" <<< "$del" || { fail $n "Incremental $j recorded the unreadable $e as deleted"; return 0; }
      ! grep -q -x -F -- "$e" <<< "$saved" || { fail $n "Incremental $j stored a new version of the unreadable $e"; return 0; }
    done
  done
  grep -q -x -F -- "$T/ok/new" <<< "$(ur_names "$i1" saved)" || { fail $n "Incremental $i1 did not save ok/new"; return 0; }
  for i in 1 2 3 4; do [ -e "$T/vz/v$i" ] || gone+=("$T/vz/v$i"); done
  [ ${#gone[@]} = 3 ] || { fail $n "want 3 vanished files in vz/, found ${#gone[@]}"; return 0; }
  for e in "${gone[@]}"; do
    grep -q -x -F -- "$e" <<< "$dels" || { fail $n "neither Incremental $i1 nor $i2 recorded the vanished $e as deleted"; return 0; }
  done
  # the latest state: the unreadable entries from the Full, the vanished ones gone == the live tree
  local dest v
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore-latest "$jname" "$dest"; then fail_job $n "restore-latest" "$SCRATCH/$n.restore"; return 0; fi
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2; fail $n "restore-latest (Full $fj + Incrementals $i1, $i2) differs from the live tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  [ "$(cat "$dest$T/secret")" = 'secret v1' ] || { fail $n "restore-latest: secret is not the Full's copy"; return 0; }
  note "$v"
  rm -rf -- "$dest"
  pass "$n (Full $fj, Accurate Incrementals $i1, $i2 squashed: secret, locked/ (+3 below), noexec/f kept, not deleted, no new version; ${#gone[@]} vanished files recorded deleted; restore-latest == live tree)"
}
