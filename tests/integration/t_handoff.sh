# shellcheck shell=bash
# The descriptor handoff of large files (docs/ptcomm.md §4.1c) through the real bacula-fd: a tree with large
# dense files (1 MiB exactly = handoff_min, 3 MiB, 24 MiB with drop-behind steps), a sparse 16 MiB file, a
# 1 MiB - 1 file and small files. Backed up with the default handoff=auto, the job log names the handed-off files
# (the backend's "handoff: N files ..." line: the three dense large ones, not the sparse one, not the smaller
# ones), the job ends OK without warnings, and a restore is byte-exact with the sparse file's holes kept;
# the same tree with handoff=no sends no file that way and restores the same bytes.

ho_tree() { # -> path
  local T=$SCRATCH/handoff-tree
  if [ ! -d "$T" ]; then
    mkdir -p "$T/sub"
    head -c $((1 << 20)) /dev/urandom > "$T/exact-min"
    head -c $(((1 << 20) - 1)) /dev/urandom > "$T/below-min"
    head -c $((3 << 20)) /dev/urandom > "$T/sub/three"
    head -c $((24 << 20)) /dev/urandom > "$T/big24"
    truncate -s $((16 << 20)) "$T/sparse"
    printf 'data in the middle' | dd of="$T/sparse" bs=1 seek=$((8 << 20)) conv=notrunc status=none
    for i in 1 2 3 4 5; do printf 'small %s\n' "$i" > "$T/sub/s$i"; done
  fi
  echo "$T"
}

# backup with OPTS, restore, compare; prints the FAIL line and returns 1 on a failure; sets HO_LOG (job log)
ho_round() { # test-name tree opts
  local n=$1 T=$2 opts=$3 out jobid st dest f
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T$opts"; then fail_job "$n" "plugin backup" "$out"; return 1; fi
  jobid=$(field JobId "$out")
  HO_LOG=$(H joblog "$jobid")
  st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail "$n" "JobStatus=$st"; return 1; }
  grep -q 'Termination: *Backup OK *$' <<< "$HO_LOG" \
    || { fail "$n" "termination: $(grep -m1 'Termination:' <<< "$HO_LOG") (want Backup OK, no warnings)"; return 1; }
  dest=$(scratch "$n")
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job "$n" "restore" "$SCRATCH/$n.restore"; return 1; fi
  while IFS= read -r -d '' f; do
    cmp -s -- "$f" "$dest$f" || { fail "$n" "${f#"$T"/} restored with other bytes"; return 1; }
  done < <(find "$T" -type f -print0)
  # the holes of the sparse file are kept (a dense copy would take 16 MiB)
  local blocks; blocks=$(stat -c %b "$dest$T/sparse")
  [ "$blocks" -lt 8192 ] || { fail "$n" "sparse restored with $blocks blocks (its holes were filled)"; return 1; }
  rm -rf -- "$dest"
  HO_JOBID=$jobid
}

test_79_handoff_large_files() {
  local n=handoff_large_files T line want
  require_plugin $n || return 0
  T=$(ho_tree)
  ho_round $n "$T" "" || return 0
  line=$(grep -o 'handoff: [0-9]* files ([0-9]* bytes) read by the shim[^"]*' <<< "$HO_LOG" | head -1 || true)
  want="handoff: 3 files ($(((1 << 20) + (3 << 20) + (24 << 20))) bytes) read by the shim"
  [ "${line#"$want"}" != "$line" ] || { fail $n "job log says '${line:-nothing}', want '$want ...'"; return 0; }
  local on=$HO_JOBID
  ho_round $n "$T" ";handoff=no" || return 0
  ! grep -q 'handoff: [0-9]* files' <<< "$HO_LOG" || { fail $n "handoff=no still handed files off"; return 0; }
  pass "$n (JobId $on: $line; handoff=no JobId $HO_JOBID: D packets; both restore byte-exact, holes kept)"
}
