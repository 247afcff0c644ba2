# shellcheck shell=bash
# A restore cannot be turned against the host (docs/security.md). bacula-fd hands the plugin the plugin string
# stored with the backup, read back from the volume; its backend= must not choose what runs as root.
#   33  A backup names backend=W, a root-owned wrapper of the installed launcher in a directory only root can
#       write (honoured: W runs). W is then replaced by a script that would create a marker file and exit.
#       The restore of that backup through bconsole succeeds, every file verifies, the marker does not exist,
#       and the job log has one warning naming W and the installed backend that ran instead.
#       Then a backup naming a backend in a group-writable directory fails with the message naming that
#       directory, without running it; bacula-fd survives (run.sh checks).

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
  H joblog "$(field JobId "$gout")" | grep -q -F -- "$refused" \
    || { fail $n "job $(field JobId "$gout"): no '$refused' in the log: $(job_err "$gout")"; return 0; }
  [ ! -e "$marker" ] || { fail $n "the refused backend ran: $marker exists"; return 0; }
  rm -rf -- "$gw"
  pass "$n (backup $jobid ran backend=$W; restore $rj ran the installed backend instead of the hostile W: verified, no marker, one warning; a backend in a group-writable directory: JobStatus=$st, '$refused')"
}
