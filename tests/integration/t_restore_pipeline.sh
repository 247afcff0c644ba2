# shellcheck shell=bash
# The pipelined restore (docs/ptcomm.md §5.1, issue 15): failures that the backend reports after bacula-fd has
# moved on to later files, and a backend that dies in the middle of a restore.
#   66  A file that cannot be created in the middle of the stream (its parent exists in the target as a regular
#       file): each file below it fails by name ("... is not a directory"), every other file is restored
#       byte for byte, the job ends T "Restore OK -- with errors" with one job error per failed file. Stock
#       bacula-fd's outcome for the same target is noted (its error for a file followed by more files ends
#       "*** Restore Error ***", see docs/ptcomm.md §5.1).
#   67  The same with an immutable directory (chattr +i) in the target: each file below it fails with
#       "Operation not permitted", the rest is restored, T "Restore OK -- with errors".
#   68  kill -9 of the backend in the middle of a restore: the job fails (E or f) with a message about the
#       backend, bacula-fd survives (same PID), and the next restore on it is complete.

# a leaf directory in the middle of the walk order of tree T (the one holding the middle file), relative
rp_middle_dir() { # T
  local mid
  mid=$(cd "$1" && find . -type f -printf '%P\n' | LC_ALL=C sort | sed -n "$(( $(find "$1" -type f | wc -l) / 2 ))p")
  dirname -- "$mid"
}

rp_backup() { # test-name T -> RP_JOBID
  local out=$SCRATCH/$1.backup
  RP_JOBID=$(load_ctx "rp.$(basename "$2")")
  [ -z "$RP_JOBID" ] || return 0
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$2"; then fail_job "$1" "plugin backup of $2" "$out"; return 1; fi
  RP_JOBID=$(field JobId "$out")
  save_ctx "rp.$(basename "$2")" "$RP_JOBID"
}

# every regular file of T outside REL restored identically below DEST; 1 (with a note) otherwise
rp_rest_identical() { # T DEST REL
  local T=$1 dest=$2 rel=$3 f bad=0 n=0
  while IFS= read -r -d '' f; do
    case "$f" in "$rel"/*) continue;; esac
    n=$((n + 1))
    cmp -s -- "$T/$f" "$dest$T/$f" || { bad=$((bad + 1)); [ $bad -le 3 ] && note "differs or missing: $f"; }
  done < <(cd "$T" && find . -type f -printf '%P\0')
  RP_CHECKED=$n
  [ $bad = 0 ]
}

# the restore of RP_JOBID into DEST (prepared by the caller), judged: the files below REL fail with WHY, the rest
# is restored, T 'Restore OK -- with errors', JobErrors = the number of files below REL. 1 after a FAIL.
rp_restore_with_failures() { # test-name T DEST REL WHY
  local n=$1 T=$2 dest=$3 rel=$4 why=$5 out log st term nfail nlog errs
  out=$SCRATCH/$n.restore
  hrun "$out" restore "$RP_JOBID" "$dest" || true
  RP_RJ=$(field JobId "$out")
  [ -n "$RP_RJ" ] || { fail "$n" "no restore job ran"; return 1; }
  log=$(H joblog "$RP_RJ")
  st=$(field JobStatus "$out")
  term=$(sed -n 's/^ *Termination: *//p' <<< "$log" | head -1)
  nfail=$(find "$T/$rel" -maxdepth 1 -type f | wc -l)
  nlog=$(grep -c -F "cannot restore \"$dest$T/$rel/" <<< "$log" || true)
  [ "$nlog" = "$nfail" ] || { fail "$n" "restore $RP_RJ: $nlog 'cannot restore \"$dest$T/$rel/...' lines, want $nfail: $(job_err "$out")"; return 1; }
  grep -F "cannot restore \"$dest$T/$rel/" <<< "$log" | grep -F "$why" >/dev/null \
    || { fail "$n" "restore $RP_RJ: the failures do not say '$why': $(grep -m1 -F "cannot restore" <<< "$log")"; return 1; }
  rp_rest_identical "$T" "$dest" "$rel" || { fail "$n" "restore $RP_RJ: files outside $rel differ or are missing"; return 1; }
  [ "$st" = T ] && [ "$term" = "Restore OK -- with errors" ] \
    || { fail "$n" "restore $RP_RJ ended $st '$term', want T 'Restore OK -- with errors'"; return 1; }
  # plus the directory's own attributes at the end when it cannot take them (immutable): "cannot set ... of DIR"
  RP_DIRERR=$(grep -c -E "cannot set [a-z]+ of \"$(sed 's/[][\.*^$]/\\&/g' <<< "$dest$T/$rel")\":" <<< "$log" || true)
  errs=$(field JobErrors "$out")
  [ "$errs" = $((nfail + RP_DIRERR)) ] \
    || { fail "$n" "restore $RP_RJ: JobErrors=$errs, want $nfail (one per failed file) + $RP_DIRERR (the directory's attributes)"; return 1; }
  RP_NFAIL=$nfail
}

test_66_restore_file_cannot_be_created() {
  local n=restore_file_cannot_be_created T rel dest sout sdest stock=""
  require_plugin $n || return 0
  T=$(mk_tree pipefail -n 600 --big 2 --big-max-mib 2 --hardlinks 0 --symlinks 0)
  rp_backup $n "$T" || return 0
  rel=$(rp_middle_dir "$T")
  dest=$(scratch $n.dest)
  mkdir -p -- "$(dirname -- "$dest$T/$rel")"
  printf 'a plain file where a directory was\n' > "$dest$T/$rel"
  rp_restore_with_failures $n "$T" "$dest" "$rel" "is not a directory" || return 0
  # stock bacula-fd, same tree, same obstacle (noted, not judged: its status depends on what follows the failure)
  sout=$SCRATCH/$n.stock.backup
  if hrun "$sout" backup "$T"; then
    sdest=$(scratch $n.stock.dest)
    mkdir -p -- "$(dirname -- "$sdest$T/$rel")"
    printf 'x\n' > "$sdest$T/$rel"
    hrun "$SCRATCH/$n.stock.restore" restore "$(field JobId "$sout")" "$sdest" || true
    stock="; stock: $(field JobStatus "$SCRATCH/$n.stock.restore") '$(H joblog "$(field JobId "$SCRATCH/$n.stock.restore")" | sed -n 's/^ *Termination: *//p' | head -1)', JobErrors=$(field JobErrors "$SCRATCH/$n.stock.restore")"
    rm -rf -- "$sdest"
  fi
  rm -rf -- "$dest"
  pass "$n (restore $RP_RJ: $RP_NFAIL files below ${rel} failed by name, $RP_CHECKED others identical, T 'Restore OK -- with errors', JobErrors=$RP_NFAIL$stock)"
}

test_67_restore_immutable_directory() {
  local n=restore_immutable_directory T rel dest
  require_plugin $n || return 0
  command -v chattr >/dev/null 2>&1 || { skip $n "chattr not installed"; return 0; }
  T=$(mk_tree pipefail -n 600 --big 2 --big-max-mib 2 --hardlinks 0 --symlinks 0)
  rp_backup $n "$T" || return 0
  rel=$(rp_middle_dir "$T")
  dest=$(scratch $n.dest)
  mkdir -p -- "$dest$T/$rel"
  if ! chattr +i -- "$dest$T/$rel" 2>/dev/null; then
    skip $n "chattr +i is not supported on $(findmnt -n -o FSTYPE -T "$dest" 2>/dev/null || echo '?') ($dest)"
    rm -rf -- "$dest"; return 0
  fi
  rp_restore_with_failures $n "$T" "$dest" "$rel" "Operation not permitted"; local rc=$?
  chattr -i -- "$dest$T/$rel" 2>/dev/null || true
  rm -rf -- "$dest"
  [ $rc = 0 ] || return 0
  pass "$n (restore $RP_RJ: $RP_NFAIL files below the immutable ${rel} failed by name, $RP_CHECKED others identical, T 'Restore OK -- with errors', JobErrors=$RP_NFAIL + $RP_DIRERR for the directory's own attributes)"
}

test_68_restore_backend_killed() {
  local n=restore_backend_killed T fd0 out hp dest jobid st i w0 w lim kids=() k T2 out2 dest2 rj2 desc=""
  require_plugin $n || return 0
  # ~3000 small files + 8 files of up to 64 MiB (the tree of test 30): a restore of a few seconds
  T=$(mk_tree killtree -n 3000 --big 8 --big-max-mib 64 --hardlinks 0)
  rp_backup $n "$T" || return 0
  fd0=$(fd_pid)
  dest=$(scratch $n.dest)
  out=$SCRATCH/$n.restore
  H restore "$RP_JOBID" "$dest" > "$out" 2> "$out.err" &
  hp=$!
  wait_backend "$hp" kids
  if [ ${#kids[@]} -eq 0 ]; then
    wait "$hp" || true
    fail $n "no backend process appeared under bacula-fd (pid $fd0) during the restore: $(job_err "$out")"; return 0
  fi
  # kill once the restore streams: bacula-fd has written 16 MB (to the backend's pipe) since it appeared
  lim=$(( ${IT_KILL_AFTER_MB:-16} * 1000000 ))
  w0=$(fd_wchar "$fd0")
  for ((i = 0; i < 600; i++)); do
    w=$(fd_wchar "$fd0")
    [ $((w - w0)) -ge "$lim" ] && break
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.02
  done
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  if [ ${#kids[@]} -eq 0 ]; then
    wait "$hp" || true
    fail $n "the restore ended before the backend could be killed (job $(field JobId "$out")); make the tree bigger"; return 0
  fi
  for k in "${kids[@]}"; do desc+="$k($(cat "/proc/$k/comm" 2>/dev/null || echo '?')) "; done
  note "bacula-fd wrote $(( (w - w0) / 1000000 )) MB since the backend appeared; kill -9 $desc"
  kill -9 "${kids[@]}" 2>/dev/null || true
  wait "$hp" || true
  cat "$out.err" >&2
  jobid=$(field JobId "$out")
  [ -n "$jobid" ] || { fail $n "no JobId from the restore"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in E|f) ;; *) fail $n "restore $jobid ended with JobStatus=$st after the backend was killed, expected E or f"; return 0;; esac
  plugin_log_mentions "$jobid" backend \
    || { fail $n "restore $jobid: no podheitor-hpc message about the backend: $(H joblog "$jobid" | grep -i -m2 -e podheitor -e fatal | tr '\n' ' ')"; return 0; }
  [ "$(fd_pid)" = "$fd0" ] || { fail $n "bacula-fd died or changed pid ($fd0 -> $(fd_pid))"; return 0; }
  rm -rf -- "$dest"
  # the same FD restores the next job completely
  T2=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out2=$SCRATCH/$n.next.backup
  hrun "$out2" backup-plugin "podheitor-hpc:path=$T2" || { fail_job $n "the backup after the kill" "$out2"; return 0; }
  dest2=$(scratch $n.next.dest)
  hrun "$SCRATCH/$n.next.restore" restore "$(field JobId "$out2")" "$dest2" \
    || { fail_job $n "the restore after the kill" "$SCRATCH/$n.next.restore"; return 0; }
  rj2=$(field JobId "$SCRATCH/$n.next.restore")
  [ "$(field JobStatus "$SCRATCH/$n.next.restore")" = T ] || { fail_job $n "the restore after the kill" "$SCRATCH/$n.next.restore"; return 0; }
  python3 "$ROOT/scripts/verify.py" "$T2" "$dest2$T2" > "$SCRATCH/$n.verify" 2>&1 \
    || { fail $n "restore $rj2 after the kill does not verify: $(tail -3 "$SCRATCH/$n.verify" | tr '\n' ' ')"; return 0; }
  [ "$(fd_pid)" = "$fd0" ] || { fail $n "bacula-fd pid changed during the next jobs"; return 0; }
  rm -rf -- "$dest2"
  pass "$n (restore $jobid: JobStatus=$st, '$(H joblog "$jobid" | grep -i podheitor-hpc | grep -i -m1 backend | sed 's/^.*JobId [0-9]*: //' | cut -c1-100)'; FD pid $fd0 alive; next restore $rj2 T and verified)"
}
