# shellcheck shell=bash
# a. Full backup through the plugin + restore (where=scratch) + verify.py
# b. catalog parity: 'list files jobid=N' == find PATH
# g. names that are not plain text (byte 0xff, newline, tab, backslash, ';')
#
# The base tree has 12 extra hard-link names (one file with 3 names): they must restore as links to one inode.

plugin_tree() { mk_tree pbase -n 3000 --big 2 --big-max-mib 8 --hardlinks 12; }

# Full plugin backup of T (reused when an earlier test made one): sets
# PFULL_JOBID, or prints the FAIL line and returns 1. Do not call it in $(...).
plugin_full() { # test-name tree
  local n=$1 T=$2 key out
  key=pfull.$(basename "$T")
  PFULL_JOBID=$(load_ctx "$key")
  [ -z "$PFULL_JOBID" ] || return 0
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then
    fail_job "$n" "plugin backup" "$out"
    return 1
  fi
  PFULL_JOBID=$(field JobId "$out")
  save_ctx "$key" "$PFULL_JOBID"
}

test_10_plugin_full_restore_verify() {
  local n=plugin_full_restore_verify T out jobid dest
  require_plugin $n || return 0
  T=$(plugin_tree)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then
    fail_job $n "plugin backup" "$out"; return 0
  fi
  jobid=$(field JobId "$out")
  save_ctx "pfull.$(basename "$T")" "$jobid"
  local files want bk
  files=$(field JobFiles "$out"); want=$(tree_count "$T"); bk=$(field Backend_peak_RSS_kB "$out")
  note "JobId $jobid: JobFiles=$files Files_per_s=$(field Files_per_s "$out") Backend_peak_RSS_kB=$bk"
  [ "$files" = "$want" ] || { fail $n "JobFiles=$files but the tree has $want entries"; return 0; }
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then
    fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0
  fi
  local v
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2
    fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //') (details in the test log)"; return 0
  fi
  note "$v"
  local groups
  groups=$(echo "$v" | sed -n 's/.* hardlink_groups=\([0-9]*\) .*/\1/p')
  [ "${groups:-0}" -ge 12 ] || { fail $n "expected >= 12 hard-link groups in the tree, verify saw '${groups:-none}'"; return 0; }
  rm -rf -- "$dest"
  pass "$n (JobId $jobid, $files entries incl. dangling symlink, $groups hard-link groups, modes, owners, mtimes: verify OK)"
}

test_11_plugin_catalog_parity() {
  local n=plugin_catalog_parity T jobid p1 p2
  require_plugin $n || return 0
  T=$(plugin_tree)
  plugin_full $n "$T" || return 0
  jobid=$PFULL_JOBID
  if ! p1=$(H parity "$jobid" "$T" 2>&1); then fail $n "bconsole 'list files' vs find: $(echo "$p1" | tail -n 1)"; echo "$p1" >&2; return 0; fi
  if ! p2=$(H parity "$jobid" "$T" --sql 2>&1); then fail $n "catalog (SQL) vs find: $(echo "$p2" | tail -n 1)"; echo "$p2" >&2; return 0; fi
  note "$p1"
  # the top-level PATH itself is in the catalog, as a directory
  grep -qxF -- "$T/" < <(H list-files "$jobid" --sql) || { fail $n "the top-level $T/ is not in the catalog"; return 0; }
  pass "$n (JobId $jobid: $(echo "$p1" | sed -n 's/.* catalog=\([0-9]*\).*/\1/p') entries, list files == find, dirs with trailing /)"
}

test_12_plugin_odd_names() {
  local n=plugin_odd_names T out jobid dest v p
  require_plugin $n || return 0
  T=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then
    fail_job $n "plugin backup" "$out"; return 0
  fi
  jobid=$(field JobId "$out")
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2
    fail $n "verify (bytes): $(echo "$v" | tail -n 1 | sed 's/.*| //') (details in the test log)"; return 0
  fi
  # the catalog holds the raw bytes (0xff, newline, tab, backslash, ';')
  p=$(H parity "$jobid" "$T" --sql 2>&1) || { echo "$p" >&2; fail $n "catalog names differ from find: $(echo "$p" | tail -n 1)"; return 0; }
  rm -rf -- "$dest"
  pass "$n (JobId $jobid: 0xff, newline, tab, backslash, ';' names and symlink targets restored byte-exact; catalog == find)"
}

# More multiply linked inodes than hardlink_memory: the index spills to spill_dir and every link survives.
test_16_plugin_hardlink_spill() {
  local n=plugin_hardlink_spill T out jobid dest v groups spill
  require_plugin $n || return 0
  T=$(mk_tree hlspill -n 400 --big 0 --hardlinks 90)
  spill=$(scratch $n.spill)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;hardlink_memory=4;spill_dir=$spill"; then
    fail_job $n "plugin backup" "$out"; return 0
  fi
  jobid=$(field JobId "$out")
  plugin_log_mentions "$jobid" "spilled to disk" || { fail $n "job $jobid log does not report the spill"; return 0; }
  [ -z "$(ls -A "$spill")" ] || { fail $n "files left in spill_dir: $(ls -A "$spill" | head -3)"; return 0; }
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then
    fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0
  fi
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2
    fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.* | //') (details in the test log)"; return 0
  fi
  groups=$(echo "$v" | sed -n 's/.* hardlink_groups=\([0-9]*\) .*/\1/p')
  [ "${groups:-0}" -ge 30 ] || { fail $n "expected >= 30 hard-link groups, verify saw '${groups:-none}'"; return 0; }
  rm -rf -- "$dest"
  pass "$n (JobId $jobid: hardlink_memory=4, $groups hard-link groups restored as links, spill files unlinked)"
}
