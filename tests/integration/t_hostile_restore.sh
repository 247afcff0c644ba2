# shellcheck shell=bash
# A restore cannot be turned against the host (docs/security.md). bacula-fd hands the plugin the plugin string
# stored with the backup, read back from the volume; its backend= must not choose what runs as root.
#   33  A backup names backend=W, a root-owned wrapper of the installed launcher in a directory only root can
#       write (honoured: W runs). W is then replaced by a script that would create a marker file and exit.
#       The restore of that backup through bconsole succeeds, every file verifies, the marker does not exist,
#       and the job log has one warning naming W and the installed backend that ran instead.
#       Then a backup naming a backend in a group-writable directory fails with the message naming that
#       directory, without running it; bacula-fd survives (run.sh checks).
#   34  parent directory swapped for a symlink before an in-place restore (replace=always, replace=ifnewer)
#   35  a racing swapper replaces a directory with a symlink again and again during an in-place restore
#   36  a restore into a full file system (a 2 MiB tmpfs)
# (descriptions at each test)

test_33_hostile_restore() {
  local n=hostile_restore T dir W marker starts out jobid dest v rj log bad
  require_plugin $n || return 0
  T=$(mk_tree hostile -n 300 --big 1 --big-max-mib 2 --hardlinks 3)
  dir=$(trusted_dir $n); W=$dir/backend
  marker=$SCRATCH/$n.marker; starts=$SCRATCH/$n.starts
  rm -f -- "$marker" "$starts"
  bad=$(untrusted_component "$dir")
  [ -z "$bad" ] || { fail $n "premise: the shim would refuse a backend in $dir: $bad"; return 0; }
  printf '#!/bin/sh\necho $$ >> %s\nexec %s "$@"\n' "$starts" "$ROOT/bin/podheitor-hpc-backend" > "$W.tmp"
  chmod 755 "$W.tmp"; mv -f -- "$W.tmp" "$W"
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;backend=$W"; then fail_job $n "plugin backup with backend=$W" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  [ "$(wc -l < "$starts" 2>/dev/null || echo 0)" = 1 ] || { fail $n "premise: the backup did not run backend=$W once"; return 0; }
  # what the volume says now runs something else
  printf '#!/bin/sh\n: > %s\nexit 1\n' "$marker" > "$W.tmp"
  chmod 755 "$W.tmp"; mv -f -- "$W.tmp" "$W"
  dest=$(scratch $n)
  out=$SCRATCH/$n.restore
  if ! hrun "$out" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$out"; return 0; fi
  rj=$(field JobId "$out")
  [ ! -e "$marker" ] || { fail $n "restore job $rj ran the stored backend $W: $marker exists"; return 0; }
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2; fail $n "restore job $rj: verify: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  log=$(H joblog "$rj")
  local want="podheitor-hpc: restore: ignoring backend \"$W\" stored with the backup; running the installed backend \"$ROOT/bin/podheitor-hpc-backend\""
  [ "$(grep -c -F -- "$want" <<< "$log")" = 1 ] \
    || { fail $n "restore job $rj: not exactly one '$want' in the log: $(grep -i -m3 podheitor <<< "$log" | tr '\n' ' ')"; return 0; }
  [ "$(wc -l < "$starts")" = 1 ] || { fail $n "the old wrapper ran again"; return 0; }
  rm -rf -- "$dest"
  # any job type: a backend in a group-writable directory is refused, and not run
  local gw gout st
  gw=$(scratch $n.gw); chmod 775 "$gw"
  printf '#!/bin/sh\n: > %s\nexec %s "$@"\n' "$marker" "$ROOT/bin/podheitor-hpc-backend" > "$gw/backend"
  chmod 755 "$gw/backend"
  gout=$SCRATCH/$n.gw.backup
  if hrun "$gout" backup-plugin "podheitor-hpc:path=$T;backend=$gw/backend"; then
    fail $n "a backup naming a backend in the group-writable $gw succeeded"; return 0
  fi
  st=$(field JobStatus "$gout")
  case "$st" in E|f) ;; *) fail $n "backup with a backend in $gw: JobStatus=$st, want E or f"; return 0;; esac
  local refused="backend \"$gw/backend\" refused: directory \"$gw\" is group-writable (mode 0775)"
  H joblog "$(field JobId "$gout")" | grep -F -- "$refused" >/dev/null \
    || { fail $n "job $(field JobId "$gout"): no '$refused' in the log: $(job_err "$gout")"; return 0; }
  [ ! -e "$marker" ] || { fail $n "the refused backend ran: $marker exists"; return 0; }
  rm -rf -- "$gw"
  pass "$n (backup $jobid ran backend=$W; restore $rj ran the installed backend instead of the hostile W: verified, no marker, one warning; a backend in a group-writable directory: JobStatus=$st, '$refused')"
}

# A small tree owned by a user: proj/passwd, proj/sub/data, other/keep (uid 4321), saved by the plugin once.
hr_user_tree() { # -> HR_TREE, HR_JOBID
  local n=$1 t=$TREES/hostile-user out
  if [ ! -e "$t.done" ]; then
    rm -rf -- "$t"
    mkdir -p "$t/proj/sub" "$t/other"
    printf 'her data\n' > "$t/proj/passwd"
    printf 'sub data\n' > "$t/proj/sub/data"
    printf 'keep\n' > "$t/other/keep"
    chown -R 4321:4321 "$t/proj" "$t/other"
    touch "$t.done"
  fi
  HR_TREE=$t
  HR_JOBID=$(load_ctx hr.full)
  [ -z "$HR_JOBID" ] || return 0
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$t"; then fail_job "$n" "plugin backup of $t" "$out"; return 1; fi
  HR_JOBID=$(field JobId "$out")
  save_ctx hr.full "$HR_JOBID"
}

# a directory standing for /etc: root's, with a passwd the restore must never touch
hr_outside() { # name -> path
  local o
  o=$(scratch "$1")
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$o/passwd"
  chmod 644 "$o/passwd"; chmod 755 "$o"
  touch -d '2001-01-01 00:00:00' "$o/passwd"
  echo "$o"
}

# "path mode uid size mtime" of every entry below DIR (sorted): what must stay the same
hr_state() { (cd "$1" && find . -printf '%p %m %U %s %T@\n' | LC_ALL=C sort); }

#   34  In-place restores (where=/) with replace=always and replace=ifnewer after the user replaced her
#       backed-up directory proj with a symbolic link to a system directory: nothing below the link's target
#       is created, replaced or chowned; each file below proj fails with "... is a symbolic link (not followed)"
#       and the rest (other/keep) is restored; the job ends "Restore OK -- with errors" like stock when a
#       file cannot be created.
test_34_hostile_restore_parent_symlink() {
  local n=hostile_restore_parent_symlink outside before after out rj log st mode res=""
  require_plugin $n || return 0
  hr_user_tree $n || return 0
  outside=$(hr_outside $n.outside)
  before=$(hr_state "$outside")
  for mode in always ifnewer; do
    rm -rf -- "$HR_TREE/proj" "$HR_TREE/other"
    ln -s "$outside" "$HR_TREE/proj"
    out=$SCRATCH/$n.$mode.restore
    hrun "$out" restore "$HR_JOBID" / replace=$mode || true
    rj=$(field JobId "$out")
    [ -n "$rj" ] || { fail $n "replace=$mode: no restore job ran"; return 0; }
    after=$(hr_state "$outside")
    [ "$before" = "$after" ] || { fail $n "replace=$mode: restore $rj changed the link's target: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"; return 0; }
    # (proj's own directory record may replace the link itself by a directory, as stock does: never through it)
    log=$(H joblog "$rj")
    grep -q -F "\"$HR_TREE/proj\" is a symbolic link (not followed)" <<< "$log" \
      || { fail $n "replace=$mode: restore $rj: no 'is a symbolic link (not followed)' in the log: $(job_err "$out")"; return 0; }
    [ "$(cat "$HR_TREE/other/keep" 2>/dev/null)" = keep ] || { fail $n "replace=$mode: other/keep not restored"; return 0; }
    st=$(field JobStatus "$out")
    res+=" $mode: $st '$(sed -n 's/^ *Termination: *//p' <<< "$log" | head -1)';"
    rm -rf -- "$HR_TREE/proj"
  done
  rm -rf -- "$HR_TREE/proj"
  rm -f -- "$HR_TREE.done" # rebuilt as it was saved by the next user of hr_user_tree
  pass "$n (restores of job $HR_JOBID in place:$res the link's target unchanged)"
}

#   35  A racing swapper: while an in-place restore runs, a loop replaces the restored directory victim (as soon
#       as the restore has created it) with a symbolic link to a system directory, again and again. Nothing
#       below the target is created or changed, and at the end of the job the directory attributes of victim
#       (mode 02777 in the backup) are not applied through the link.
test_35_hostile_restore_racing_swap() {
  local n=hostile_restore_racing_swap t outside before after out rj log swaps jobid pid i stop
  require_plugin $n || return 0
  t=$TREES/hostile-race
  if [ ! -e "$t.done" ]; then
    rm -rf -- "$t"; mkdir -p "$t/victim" "$t/calm"
    for i in $(seq 1 1500); do printf 'v%s\n' "$i" > "$t/victim/f$i"; done
    for i in $(seq 1 200); do printf 'c%s\n' "$i" > "$t/calm/f$i"; done
    chmod 2777 "$t/victim"; chown -R 4321:4321 "$t/victim"
    touch "$t.done"
  fi
  jobid=$(load_ctx hr.race)
  if [ -z "$jobid" ]; then
    out=$SCRATCH/$n.backup
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$t"; then fail_job $n "plugin backup of $t" "$out"; return 0; fi
    jobid=$(field JobId "$out"); save_ctx hr.race "$jobid"
  fi
  outside=$(hr_outside $n.outside)
  before=$(hr_state "$outside")
  rm -rf -- "$t/victim" "$t/calm"
  stop=$SCRATCH/$n.stop swaps=$SCRATCH/$n.swaps
  rm -f -- "$stop"; : > "$swaps"
  (
    i=0
    while [ ! -e "$stop" ]; do
      if [ -d "$t/victim" ] && [ ! -L "$t/victim" ]; then
        i=$((i + 1))
        mv -- "$t/victim" "$t/victim.moved.$i" 2>/dev/null && ln -s "$outside" "$t/victim" && echo "$i" >> "$swaps"
      elif [ -L "$t/victim" ]; then
        rm -f -- "$t/victim"   # let the restore create it again, and swap it again
      fi
    done
  ) &
  pid=$!
  out=$SCRATCH/$n.restore
  hrun "$out" restore "$jobid" / replace=always || true
  touch "$stop"; wait "$pid" 2>/dev/null || true
  rj=$(field JobId "$out")
  [ -n "$rj" ] || { fail $n "no restore job ran"; return 0; }
  [ -s "$swaps" ] || { fail $n "premise: the swapper never caught victim as a directory"; return 0; }
  after=$(hr_state "$outside")
  [ "$before" = "$after" ] || { fail $n "restore $rj changed the swapped-in target: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"; return 0; }
  log=$(H joblog "$rj")
  [ "$(find "$t/calm" -type f | wc -l)" = 200 ] || { fail $n "calm/ not restored completely"; return 0; }
  rm -rf -- "$t"/victim*
  pass "$n (restore $rj with $(wc -l < "$swaps") swaps of victim for a link: its target unchanged (no file, no 02777, no chown); calm/ restored; $(grep -c 'is a symbolic link\|replaced during the restore' <<< "$log") refusals logged)"
}

#   36  A restore into a full file system (a 2 MiB tmpfs the test mounts and unmounts): files that do not fit
#       fail with "No space left on device" and are removed, never left truncated; whatever is there is
#       complete; bacula-fd survives and the next job works.
test_36_hostile_restore_full_fs() {
  local n=hostile_restore_full_fs T mnt out next rc=0
  require_plugin $n || return 0
  T=$(mk_tree fullfs -n 60 --big 3 --big-max-mib 1)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "plugin backup of $T" "$out"; return 0; fi
  umount -l "$SCRATCH/$n.mnt" 2>/dev/null || true   # left by a killed run
  mnt=$(scratch $n.mnt)
  mount -t tmpfs -o size=2m,mode=0755 phpc-full "$mnt" || { fail $n "cannot mount a tmpfs on $mnt"; return 0; }
  hr_full_fs_restore $n "$T" "$(field JobId "$out")" "$mnt" || rc=1
  umount "$mnt" || umount -l "$mnt" || { fail $n "cannot unmount $mnt"; return 0; }
  [ "$rc" = 0 ] || return 0
  next=$SCRATCH/$n.next
  hrun "$next" backup-plugin "podheitor-hpc:path=$T" || { fail_job $n "the next backup after the full restore" "$next"; return 0; }
  pass "$n (restore $HR_RJ into a 2 MiB tmpfs: ENOSPC reported, partial files removed, every file left is complete ($HR_LEFT); next job $(field JobId "$next") OK)"
}

hr_full_fs_restore() { # name tree jobid mnt -> HR_RJ, HR_LEFT; 1 after a FAIL
  local n=$1 T=$2 jobid=$3 mnt=$4 o log f rel bad=0
  o=$SCRATCH/$n.restore
  hrun "$o" restore "$jobid" "$mnt" || true
  HR_RJ=$(field JobId "$o")
  [ -n "$HR_RJ" ] || { fail $n "no restore job ran"; return 1; }
  log=$(H joblog "$HR_RJ")
  grep -q "No space left on device" <<< "$log" || { fail $n "restore $HR_RJ: no 'No space left on device' in the log"; return 1; }
  grep -q "the partial file was removed" <<< "$log" \
    || { fail $n "restore $HR_RJ: no 'the partial file was removed' in the log: $(job_err "$o")"; return 1; }
  while IFS= read -r -d '' f; do
    rel=${f#"$mnt$T"}
    cmp -s -- "$f" "$T$rel" || { bad=$((bad + 1)); note "incomplete: $rel"; }
  done < <(find "$mnt" -type f -print0)
  [ "$bad" = 0 ] || { fail $n "restore $HR_RJ left $bad files that differ from the source (truncated)"; return 1; }
  HR_LEFT="$(find "$mnt" -type f | wc -l) of $(find "$T" -type f | wc -l) files"
}
