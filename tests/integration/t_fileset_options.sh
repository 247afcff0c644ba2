# shellcheck shell=bash
# FileSet Options on the Include block that holds the Plugin = line, applied through the FD's AcceptFile:
#   80  WildFile = "*.o"; WildDir = "*/tmp"; Exclude = yes: catalog == the set find computes (an excluded
#       directory takes its whole subtree; the plugin's path= root is never excluded), hard links whose first
#       name is excluded keep their data, restore + verify
#   81  RegexFile / RegexDir + an Exclude { File = ... } block: the same checks
#   82  estimate listing (plugin) == the same set == a stock estimate of the same FileSet
#   83  Accurate Incremental after options were added (Ignore FileSet Changes = yes): the plugin records the
#       same names deleted as stock bacula-fd does (the entries below an excluded directory; the excluded
#       names themselves are compared, so they stay)

FSO_WILD='Options { WildFile = "*.o"; WildDir = "*/tmp"; Exclude = yes }'
# (brackets instead of backslashes: no escaping rules of the Bacula config parser involved)
FSO_REGEX='Options { RegexFile = "[.](tmp|bak)$"; RegexDir = "/cache$"; Exclude = yes }'

# the base tree plus the entries the options are about (added once, before any backup of it)
fsopts_tree() {
  local T
  T=$(mk_tree fsopts -n 400 --big 1 --big-max-mib 2 --hardlinks 4) || return 1
  if [ ! -e "$T.extras" ]; then
    (
      set -e
      cd "$T"
      mkdir -p d00/build/tmp/x tmp/sub/deeper hl d01/x d02/dir.o d02/cache/c1 d00/tmp.d
      echo obj > d00/obj.o; echo lib > d01/x/lib.o; echo o > d00/build/tmp/x/y.c
      echo a > tmp/a; echo b > tmp/sub/b; echo c > tmp/sub/deeper/c.o
      echo notadir > d01/tmp                  # a FILE named tmp: WildDir does not apply
      echo tf > d00/tmpfile; echo td > d00/tmp.d/f
      ln -s obj.o d00/link.o                  # a symlink is not a directory: WildFile applies
      echo in-dir-o > d02/dir.o/inside.c      # a DIRECTORY named *.o: WildFile does not apply
      head -c 3000000 /dev/urandom > d00/core.o   # large and excluded: CHECKed, never read by the backend
      echo bak > d00/save.bak; echo log > d01/x/log.tmp; echo cc > d02/cache/c1/z; echo kc > d02/cachex
      # hard links: G1 one kept name among excluded ones, G2 kept name + one below an excluded directory,
      # G3 all names excluded, G4 two kept names (must stay one inode) + an excluded one
      echo group1 > hl/a.o; ln hl/a.o hl/keep1.c; ln hl/a.o hl/b.o
      echo group2 > tmp/linked; ln tmp/linked hl/keep2.c
      echo group3 > hl/only.o; ln hl/only.o d00/only2.o
      echo group4 > hl/g4.o; ln hl/g4.o hl/g4a.c; ln hl/g4.o d02/g4b.c
    ) >&2 || return 1
    touch "$T.extras"
  fi
  echo "$T"
}

# what a stock bacula-fd saves of T with those options, listed like list-files (dirs end in /)
fsopts_expected() { # tree wild|regex
  local T=$1
  if [ "$2" = wild ]; then
    find "$T" -xdev \( -type d -path '*/tmp' -prune \) -o \( ! -type d -path '*.o' \) \
      -o \( -type d -printf '%p/\n' \) -o -printf '%p\n'
  else
    find "$T" -xdev -regextype posix-extended \( -type d \( -regex '.*/cache' -o -path "$T/d01/x" \) -prune \) \
      -o \( ! -type d -regex '.*[.](tmp|bak)' \) -o \( -type d -printf '%p/\n' \) -o -printf '%p\n'
  fi
}

# the entries the options exclude directly (pruned directories count once), relative to T
fsopts_excluded() { # tree wild|regex
  local T=$1
  if [ "$2" = wild ]; then
    find "$T" -xdev \( -type d -path '*/tmp' -prune -printf '%P\n' \) -o \( ! -type d -path '*.o' -printf '%P\n' \)
  else
    find "$T" -xdev -regextype posix-extended \( -type d \( -regex '.*/cache' -o -path "$T/d01/x" \) -prune -printf '%P\n' \) \
      -o \( ! -type d -regex '.*[.](tmp|bak)' -printf '%P\n' \)
  fi
}

fsopts_env() { # wild|regex T -> sets FSO_OPTS / FSO_EXCL
  FSO_EXCL=""
  if [ "$1" = wild ]; then FSO_OPTS=$FSO_WILD; else FSO_OPTS=$FSO_REGEX; FSO_EXCL="File = \"$2/d01/x\""; fi
}

# backup with the options, catalog == expected, hard links, restore, verify
fsopts_backup_check() { # test-name wild|regex
  local n=$1 kind=$2 T out jobid
  require_plugin "$n" || return 0
  T=$(fsopts_tree) || { fail "$n" "could not make the tree"; return 0; }
  fsopts_env "$kind" "$T"
  out=$SCRATCH/$n.backup
  if ! FS_OPTIONS=$FSO_OPTS FS_EXCLUDE=$FSO_EXCL hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then
    fail_job "$n" "plugin backup" "$out"; return 0
  fi
  jobid=$(field JobId "$out")
  save_ctx "fsopts.$kind.jobid" "$jobid"
  local a=$SCRATCH/$n.catalog b=$SCRATCH/$n.expected
  H list-files "$jobid" --sql | LC_ALL=C sort > "$a"
  fsopts_expected "$T" "$kind" | LC_ALL=C sort > "$b"
  local all nexp
  all=$(tree_count "$T"); nexp=$(wc -l < "$b")
  [ "$nexp" -lt "$all" ] || { fail "$n" "test set-up: the options exclude nothing ($nexp of $all)"; return 0; }
  if ! LC_ALL=C cmp -s "$a" "$b"; then
    LC_ALL=C diff "$a" "$b" | head -n 20 >&2
    fail "$n" "catalog of job $jobid ($(wc -l < "$a") names) differs from find with the options ($nexp names; diff in the log)"
    return 0
  fi
  grep -qxF -- "$T/" "$a" || { fail "$n" "the path= root $T/ is not in the catalog"; return 0; }
  [ "$(field JobFiles "$out")" = "$nexp" ] || { fail "$n" "JobFiles=$(field JobFiles "$out"), expected $nexp"; return 0; }
  plugin_log_mentions "$jobid" "FileSet options excluded" || { fail "$n" "no 'FileSet options excluded' summary in the job log"; return 0; }
  # restore: what was saved comes back exactly; the excluded entries are the only missing ones
  local dest v allow=() e nexcl=0
  dest=$(scratch "$n")
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job "$n" "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  while IFS= read -r e; do allow+=(--allow-missing "$e"); nexcl=$((nexcl + 1)); done < <(fsopts_excluded "$T" "$kind")
  if ! v=$(H verify "$T" "$dest" "${allow[@]}" 2>&1); then
    echo "$v" >&2
    fail "$n" "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //') (details in the test log)"; return 0
  fi
  note "$v"
  local am
  am=$(echo "$v" | sed -n 's/.*allowed_missing=\([0-9]*\).*/\1/p')
  [ "${am:-0}" = $((all - nexp)) ] || { fail "$n" "verify: ${am:-0} entries missing, the options exclude $((all - nexp))"; return 0; }
  local r=$dest$T
  if [ "$kind" = wild ]; then
    # hard links whose first name may have been excluded: the kept names have the data, G4 stays one inode
    [ "$(cat "$r/hl/keep1.c" 2>/dev/null)" = group1 ] || { fail "$n" "hl/keep1.c (its other names excluded) restored without its data"; return 0; }
    [ "$(cat "$r/hl/keep2.c" 2>/dev/null)" = group2 ] || { fail "$n" "hl/keep2.c (other name below tmp/) restored without its data"; return 0; }
    [ "$(stat -c %i "$r/hl/g4a.c")" = "$(stat -c %i "$r/d02/g4b.c")" ] || { fail "$n" "hl/g4a.c and d02/g4b.c are not one inode after restore"; return 0; }
    [ "$(cat "$r/d02/g4b.c")" = group4 ] || { fail "$n" "d02/g4b.c content"; return 0; }
    [ -e "$r/d01/tmp" ] && [ -e "$r/d02/dir.o/inside.c" ] && [ ! -e "$r/d00/link.o" ] && [ ! -e "$r/tmp" ] \
      || { fail "$n" "file named tmp / directory named dir.o / symlink link.o / top tmp/: wrong"; return 0; }
  fi
  rm -rf -- "$dest"
  pass "$n (JobId $jobid: catalog == find with the options: $nexp of $all entries, $nexcl excluded directly; restore verified${kind:+ ($kind)})"
}

test_80_plugin_fileset_wild_exclude() { fsopts_backup_check plugin_fileset_wild_exclude wild; }

test_81_plugin_fileset_regex_exclude() { fsopts_backup_check plugin_fileset_regex_exclude regex; }

test_82_plugin_fileset_options_estimate() {
  local n=plugin_fileset_options_estimate T kind out rc got want msg=""
  require_plugin $n || return 0
  T=$(fsopts_tree) || { fail $n "could not make the tree"; return 0; }
  for kind in wild regex; do
    fsopts_env "$kind" "$T"
    local a=$SCRATCH/$n.$kind.plugin b=$SCRATCH/$n.$kind.stock c=$SCRATCH/$n.$kind.expected
    fsopts_expected "$T" "$kind" | sed 's:\(.\)/$:\1:' | LC_ALL=C sort > "$c"
    want=$(wc -l < "$c")
    for side in plugin stock; do
      out=$SCRATCH/$n.$kind.$side.out
      rc=0
      if [ $side = plugin ]; then
        FS_OPTIONS=$FSO_OPTS FS_EXCLUDE=$FSO_EXCL H estimate-plugin "podheitor-hpc:path=$T" listing > "$out" 2> "$out.err" || rc=$?
      else
        FS_OPTIONS=$FSO_OPTS FS_EXCLUDE=$FSO_EXCL H estimate "$T" listing > "$out" 2> "$out.err" || rc=$?
      fi
      cat "$out.err" >&2
      [ $rc = 0 ] || { fail $n "$side estimate ($kind) failed: $(grep -v '^Estimate_' "$out" | tail -n 3 | tr '\n' ' ')"; return 0; }
      got=$(sed -n 's/^Estimate_files=\([0-9]*\).*/\1/p' "$out")
      [ "$got" = "$want" ] || { fail $n "$side estimate ($kind): files=$got, find with the options: $want"; return 0; }
      estimate_names < "$out" | LC_ALL=C sort > "$SCRATCH/$n.$kind.$side"
    done
    if ! LC_ALL=C cmp -s "$a" "$c"; then
      LC_ALL=C diff "$a" "$c" | head -n 20 >&2
      fail $n "plugin estimate listing ($kind) differs from find with the options (diff in the log)"; return 0
    fi
    if ! LC_ALL=C cmp -s "$a" "$b"; then
      LC_ALL=C diff "$a" "$b" | head -n 20 >&2
      fail $n "plugin and stock estimate listings differ ($kind; diff in the log)"; return 0
    fi
    msg+="$kind: $want entries; "
  done
  pass "$n (${msg}plugin estimate listing == stock estimate listing == find with the options)"
}

test_83_plugin_fileset_options_accurate_deleted() {
  local n=plugin_fileset_options_accurate_deleted T
  require_plugin $n || return 0
  T=$(fsopts_tree) || { fail $n "could not make the tree"; return 0; }
  local side jf ji out rel=() summary=""
  for side in stock plugin; do
    local jn=fso-acc-$side
    local -a bk=(backup "$T")
    [ $side = plugin ] && bk=(backup-plugin "podheitor-hpc:path=$T")
    # Full without options, then an Accurate Incremental of the same Job with the options
    out=$SCRATCH/$n.$side.full
    if ! JOB_NAME_AS=$jn FS_IGNORE_CHANGES=yes hrun "$out" "${bk[@]}" Full Accurate=yes; then fail_job $n "$side Full" "$out"; return 0; fi
    jf=$(field JobId "$out")
    out=$SCRATCH/$n.$side.incr
    if ! JOB_NAME_AS=$jn FS_IGNORE_CHANGES=yes FS_OPTIONS=$FSO_WILD hrun "$out" "${bk[@]}" Incremental Accurate=yes; then
      fail_job $n "$side Incremental" "$out"; return 0
    fi
    ji=$(field JobId "$out")
    [ "$(sed -n 's/^Kind=.* Level=\([A-Z]\).*/\1/p' "$out")" = I ] || { fail $n "$side job $ji did not run as Incremental"; return 0; }
    catalog_names "$ji" deleted | sed "s:^$T/::" | LC_ALL=C sort > "$SCRATCH/$n.$side.deleted"
    catalog_names "$ji" saved | sed "s:^$T/::" | LC_ALL=C sort > "$SCRATCH/$n.$side.saved"
    summary+="$side Full $jf + Incr $ji: $(grep -c . "$SCRATCH/$n.$side.deleted" || true) deleted; "
  done
  local d=$SCRATCH/$n
  if ! LC_ALL=C diff "$d.stock.deleted" "$d.plugin.deleted" >&2; then
    fail $n "recorded deleted: plugin differs from stock (diff in the log; $summary)"; return 0
  fi
  if ! LC_ALL=C diff "$d.stock.saved" "$d.plugin.saved" >&2; then
    fail $n "saved by the Incremental: plugin differs from stock (diff in the log; $summary)"; return 0
  fi
  # stock: the entries below an excluded directory are deleted; the excluded names themselves are not
  grep -qxF 'tmp/sub/b' "$d.plugin.deleted" && grep -qxF 'tmp/sub/' "$d.plugin.deleted" \
    || { fail $n "tmp/sub/b and tmp/sub/ (below the excluded tmp/) not recorded deleted ($summary)"; return 0; }
  ! grep -qxF 'tmp/' "$d.plugin.deleted" && ! grep -qxF 'd00/obj.o' "$d.plugin.deleted" \
    || { fail $n "an excluded name itself (tmp/ or d00/obj.o) was recorded deleted ($summary)"; return 0; }
  pass "$n (${summary}plugin == stock: below excluded directories recorded deleted, excluded names kept)"
}
