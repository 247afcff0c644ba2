# shellcheck shell=bash
# Restore options through bconsole against a plugin backup (issue 3):
# a. regexwhere= (where= is dropped by the Director when regexwhere= is given)
# b. replace=always|never|ifnewer|ifolder over an existing, modified copy
# c. partial restore of marked files and directories (cd/mark/done): only those
#    entries (and their parents) come back
# d. hard links: marking only one of the names of a linked file restores that
#    name with the data, whichever name the backup stored first (the Director adds
#    the FileIndex of the first-stored name: it comes back too, linked, as with the stock FD)
# e. restore to another client
# f. a hard link whose first name is NOT restored (a bootstrap that selects only the
#    second name, as a hand-edited one can): that file fails with "Could not hard
#    link", the other selected file is restored, the job ends "Restore OK -- with
#    errors" -- the same outcome as the stock FD with the same selection

# a small hand-made tree (deterministic names and contents)
ro_tree() {
  local t=$TREES/ropts
  if [ ! -e "$t.done" ]; then
    rm -rf -- "$t"
    mkdir -p "$t/a/sub" "$t/b" "$t/h" "$t/c"
    printf 'alpha\n' > "$t/a/f1"
    printf 'beta\n' > "$t/a/f2"
    printf 'gamma\n' > "$t/a/sub/f3"
    printf 'delta\n' > "$t/b/g1"
    printf 'epsilon\n' > "$t/b/g2"
    printf 'linked data\n' > "$t/h/x1"
    ln "$t/h/x1" "$t/h/x2"
    ln "$t/h/x1" "$t/c/x3"
    # every file at a fixed mtime one day ago (the replace tests compare to it)
    find "$t" -exec touch -h -d '@'$(( $(date +%s) - 86400 )) {} +
    touch "$t.done"
  fi
  echo "$t"
}

ro_full() { # test-name -> RO_JOBID
  local n=$1 T out
  T=$(ro_tree)
  RO_JOBID=$(load_ctx ro.full)
  [ -z "$RO_JOBID" ] || return 0
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then
    fail_job "$n" "plugin backup" "$out"; return 1
  fi
  RO_JOBID=$(field JobId "$out")
  save_ctx ro.full "$RO_JOBID"
}

# the relative paths of all entries under DIR (sorted, dirs with a trailing /)
ro_list() { (cd "$1" && find . -mindepth 1 \( -type d -printf '%P/\n' -o -printf '%P\n' \) | LC_ALL=C sort | tr '\n' ' '); }

test_70_restore_regexwhere() {
  local n=restore_regexwhere T dest out got want
  require_plugin $n || return 0
  T=$(ro_tree)
  ro_full $n || return 0
  dest=$SCRATCH/rx
  rm -rf -- "$dest"
  # $T is $IT_STATE/trees/ropts: rename its /trees/ropts/ component to /scratch/rx/
  if ! hrun "$SCRATCH/$n.restore" restore "$RO_JOBID" "$SCRATCH/rx-unused" 'regexwhere="!/trees/ropts/!/scratch/rx/!"'; then
    fail_job $n "restore regexwhere" "$SCRATCH/$n.restore"; return 0
  fi
  [ -d "$dest" ] || { fail $n "regexwhere: $dest was not created (restored elsewhere? $(ls "$SCRATCH/rx-unused" 2>/dev/null | head -3))"; return 0; }
  [ -z "$(ls -A "$SCRATCH/rx-unused" 2>/dev/null)" ] || { fail $n "where= was used although regexwhere= was given"; return 0; }
  got=$(ro_list "$dest"); want=$(ro_list "$T")
  [ "$got" = "$want" ] || { fail $n "regexwhere tree differs: got '$got' want '$want'"; return 0; }
  cmp -s "$dest/a/sub/f3" "$T/a/sub/f3" || { fail $n "content of a/sub/f3 differs"; return 0; }
  [ "$(stat -c %i "$dest/h/x1")" = "$(stat -c %i "$dest/c/x3")" ] || { fail $n "hard links not restored as links"; return 0; }
  pass "$n (JobId $RO_JOBID: regexwhere=!/trees/ropts/!/scratch/rx/! -> $(echo "$got" | wc -w) entries, where= ignored)"
}

# restore into DEST (where=), then: a/f1 modified + mtime in the future (newer
# than the backup), a/f2 modified + mtime two days ago (older than the backup),
# b/g1 deleted; restore again with replace=MODE and report which came back.
ro_replace_case() { # test-name mode -> prints "f1=orig|mod f2=orig|mod g1=orig|missing"
  local n=$1 mode=$2 dest
  dest=$(scratch "$n-$mode")
  hrun "$SCRATCH/$n-$mode.r1" restore "$RO_JOBID" "$dest" || { echo "first restore failed: $(job_err "$SCRATCH/$n-$mode.r1")"; return 1; }
  local R=$dest$(ro_tree)
  printf 'modified-newer\n' > "$R/a/f1"; touch -d '@'$(( $(date +%s) + 3600 )) "$R/a/f1"
  printf 'modified-older\n' > "$R/a/f2"; touch -d '@'$(( $(date +%s) - 2 * 86400 )) "$R/a/f2"
  rm -f "$R/b/g1"
  hrun "$SCRATCH/$n-$mode.r2" restore "$RO_JOBID" "$dest" "replace=$mode" || { echo "restore replace=$mode failed: $(job_err "$SCRATCH/$n-$mode.r2")"; return 1; }
  local s1 s2 s3
  case "$(cat "$R/a/f1")" in alpha) s1=orig;; modified-newer) s1=mod;; *) s1=other;; esac
  case "$(cat "$R/a/f2")" in beta) s2=orig;; modified-older) s2=mod;; *) s2=other;; esac
  if [ -e "$R/b/g1" ]; then s3=orig; else s3=missing; fi
  echo "f1=$s1 f2=$s2 g1=$s3"
}

test_71_restore_replace() {
  local n=restore_replace mode got want res="" bad=""
  require_plugin $n || return 0
  ro_full $n || return 0
  # Bacula (create_file.c): ifnewer restores when the backup copy is newer than the
  # existing one, ifolder when it is older; never keeps every existing file
  for mode in always never ifnewer ifolder; do
    case $mode in
      always)  want="f1=orig f2=orig g1=orig";;
      never)   want="f1=mod f2=mod g1=orig";;
      ifnewer) want="f1=mod f2=orig g1=orig";;
      ifolder) want="f1=orig f2=mod g1=orig";;
    esac
    got=$(ro_replace_case $n $mode) || { fail $n "$got"; return 0; }
    note "replace=$mode: $got (want $want)"
    res+=" $mode:[$got]"
    [ "$got" = "$want" ] || bad+=" replace=$mode gave '$got', want '$want';"
  done
  [ -z "$bad" ] || { fail $n "$bad"; return 0; }
  pass "$n (JobId $RO_JOBID:$res)"
}

test_72_restore_marked() {
  local n=restore_marked T dest R got want
  require_plugin $n || return 0
  T=$(ro_tree)
  ro_full $n || return 0
  dest=$(scratch $n)
  # mark one file in a/ and the whole directory b/
  if ! printf 'cd %s\nmark f2\ncd %s\nmark b\n' "$T/a/" "$T/" \
       | hrun "$SCRATCH/$n.restore" restore-select "$RO_JOBID" "$dest"; then
    fail_job $n "restore of marked entries" "$SCRATCH/$n.restore"; return 0
  fi
  R=$dest$T
  got=$(ro_list "$R")
  want="a/ a/f2 b/ b/g1 b/g2 "
  [ "$got" = "$want" ] || { fail $n "restored '$got', want '$want'"; return 0; }
  cmp -s "$R/a/f2" "$T/a/f2" && cmp -s "$R/b/g2" "$T/b/g2" || { fail $n "content differs"; return 0; }
  # the marked directory gets its own attributes
  [ "$(stat -c %a.%Y "$R/b")" = "$(stat -c %a.%Y "$T/b")" ] || { fail $n "b/ mode/mtime $(stat -c %a.%Y "$R/b") != $(stat -c %a.%Y "$T/b")"; return 0; }
  local fx
  fx=$(sed -n 's/^ *Files Expected: *//p' "$(field Log "$SCRATCH/$n.restore")" | tr -d ,)
  pass "$n (JobId $RO_JOBID: marked a/f2 + dir b -> '$got'; Files Expected=$fx)"
}

test_73_restore_marked_hardlink() {
  local n=restore_marked_hardlink T name dest R res="" rel
  require_plugin $n || return 0
  T=$(ro_tree)
  ro_full $n || return 0
  for rel in h/x1 h/x2 c/x3; do
    dest=$(scratch "$n-${rel//\//_}")
    if ! printf 'cd %s\nmark %s\n' "$T/$(dirname $rel)/" "$(basename $rel)" \
         | hrun "$SCRATCH/$n-${rel//\//_}.restore" restore-select "$RO_JOBID" "$dest"; then
      fail_job $n "restore of the single name $rel" "$SCRATCH/$n-${rel//\//_}.restore"; return 0
    fi
    R=$dest$T
    [ -f "$R/$rel" ] || { fail $n "marked $rel: not restored (got: $(ro_list "$dest"))"; return 0; }
    [ "$(cat "$R/$rel")" = "linked data" ] || { fail $n "marked $rel: wrong content"; return 0; }
    # like the stock FD (observed with 9.6.7): the Director adds the FileIndex of the
    # name stored first, so that name comes back too, linked to the marked one
    local nf ni
    nf=$(find "$R" -type f | wc -l); ni=$(find "$R" -type f -printf '%i\n' | sort -u | wc -l)
    [ "$nf" -le 2 ] && [ "$ni" = 1 ] || { fail $n "marked $rel: $nf files / $ni inodes restored: $(ro_list "$R")"; return 0; }
    res+=" $rel->[$(ro_list "$R")]"
  done
  pass "$n (JobId $RO_JOBID: each name marked alone comes back with the data:$res)"
}

# e. restore to another client: a second bacula-fd (harness 'up2', Client phpc-fd2)
#    restores the plugin backup of phpc-fd (restore client=phpc-fd restoreclient=phpc-fd2)
test_74_restore_other_client() {
  local n=restore_other_client T dest out cl v
  require_plugin $n || return 0
  T=$(ro_tree)
  ro_full $n || return 0
  H up2 >&2 || { fail $n "could not start the second bacula-fd (harness up2)"; return 0; }
  dest=$(scratch $n)
  out=$SCRATCH/$n.restore
  if ! hrun "$out" restore "$RO_JOBID" "$dest" restoreclient=phpc-fd2; then
    H down2 >&2 || true
    fail_job $n "restore to phpc-fd2" "$out"; return 0
  fi
  cl=$(H query "SELECT c.Name FROM Job j JOIN Client c USING (ClientId) WHERE j.JobId=$(field JobId "$out")")
  H down2 >&2 || true
  [ "$cl" = phpc-fd2 ] || { fail $n "the restore job ran on client '$cl', not phpc-fd2"; return 0; }
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2; fail $n "verify: $(echo "$v" | tail -n 1)"; return 0
  fi
  pass "$n (JobId $RO_JOBID backed up by phpc-fd, restored by phpc-fd2 in job $(field JobId "$out"): verify OK)"
}

# catalog FileIndex, name and LinkFI (14th LStat field, base64; "A" = 0) of every entry of a job
ro_fileindexes() { # jobid
  H query "SELECT FileIndex, Name, LStat FROM PhpcFile WHERE JobId = $1 ORDER BY 1" \
    | awk -F'\t' '{ split($3, l, " "); print $1 "\t" $2 "\t" l[14] }'
}

# In catalog rows (FileIndex, path, LinkFI) of a backup of ro_tree: an L record (a name of the linked inode
# not stored first) with another entry that is not a name of that inode stored after it (shape "after") or
# before it (shape "before"). Sets RO_LFI, RO_LINK, RO_OTHER_ROW and RO_OTHER; 1 when the order of that
# backup has no such pair (the plugin walks in parallel: all names of the inode may come first).
ro_pick_lonely_link() { # rows shape
  local pick
  pick=$(awk -F'\t' -v shape="$2" '
    { fi[NR] = $1; path[NR] = $2; islink[NR] = ($2 ~ /\/(h\/x[12]|c\/x3)$/); isL[NR] = islink[NR] && $3 != "A" }
    END {
      if (shape == "after") {
        for (i = 1; i <= NR; i++) if (isL[i]) for (j = i + 1; j <= NR; j++) if (!islink[j]) { print fi[i] "\t" path[i] "\t" fi[j] "\t" path[j]; exit }
      } else {
        for (i = NR; i >= 1; i--) if (isL[i]) for (j = i - 1; j >= 1; j--) if (!islink[j]) { print fi[i] "\t" path[i] "\t" fi[j] "\t" path[j]; exit }
      }
    }' <<< "$1")
  [ -n "$pick" ] || return 1
  IFS=$'\t' read -r RO_LFI RO_LINK _ RO_OTHER <<< "$pick"
  RO_OTHER_ROW=$(cut -f3- <<< "$pick")
}

# Restore through a bootstrap: an L record (a name of the linked inode not stored first: LinkFI != 0)
# and one other entry that is not a name of that inode, stored after the L record (shape "after")
# or before it (shape "before"). Sets RO_LINK (the L name), RO_OTHER (the other name), RO_OUT.
ro_restore_lonely_link() { # test-name kind jobid shape dest -> 0 / 1 (FAIL printed)
  local n=$1 kind=$2 jobid=$3 shape=$4 dest=$5 rows lfi other out
  rows=$(ro_fileindexes "$jobid")
  ro_pick_lonely_link "$rows" "$shape" || { fail "$n" "$kind job $jobid: no hard-link record with an entry $shape it"; return 1; }
  lfi=$RO_LFI other=$RO_OTHER_ROW
  out=$SCRATCH/$n.$kind.$shape.restore
  hrun "$out" restore-bsr "$jobid" "$lfi,$(cut -f1 <<< "$other")" "$dest" || true   # judged by the caller
  [ -n "$(field JobId "$out")" ] || { fail "$n" "$kind restore of FileIndex $lfi + ${RO_OTHER#"$T"/}: no job ran"; return 1; }
  RO_OUT=$out
}

# Test 76 needs a plugin backup in which some L record has another entry before it and some after it. The
# parallel walk may send all three names of the linked inode first; then another Full is taken (at most 5).
ro_full_with_both_shapes() { # test-name -> RO_JOBID
  local n=$1 try rows out
  for try in 1 2 3 4 5; do
    rows=$(ro_fileindexes "$RO_JOBID")
    if ro_pick_lonely_link "$rows" before && ro_pick_lonely_link "$rows" after; then
      return 0
    fi
    note "plugin job $RO_JOBID sent every name of the linked inode first; another Full ($try)"
    out=$SCRATCH/$n.backup$try
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$(ro_tree)"; then
      fail_job "$n" "plugin backup" "$out"; return 1
    fi
    RO_JOBID=$(field JobId "$out")
  done
  fail "$n" "5 plugin Fulls all sent every name of the linked inode before any other entry"
  return 1
}

test_76_restore_hardlink_without_first_name() {
  local n=restore_hardlink_without_first_name T out sj shape kind jobid dest log res="" st term
  require_plugin $n || return 0
  T=$(ro_tree)
  ro_full $n || return 0
  ro_full_with_both_shapes $n || return 0
  out=$SCRATCH/$n.stock.backup
  if ! hrun "$out" backup "$T"; then fail_job $n "stock backup" "$out"; return 0; fi
  sj=$(field JobId "$out")
  for shape in after before; do
    local -A outcome=()
    for kind in plugin stock; do
      jobid=$RO_JOBID; [ $kind = stock ] && jobid=$sj
      dest=$(scratch "$n-$kind-$shape")
      ro_restore_lonely_link $n $kind "$jobid" $shape "$dest" || return 0
      log=$(H joblog "$(field JobId "$RO_OUT")")
      st=$(field JobStatus "$RO_OUT")
      term=$(sed -n 's/^ *Termination: *//p' <<< "$log" | head -1)
      grep -q "Could not hard link \"\{0,1\}$dest$RO_LINK\"\{0,1\} -> " <<< "$log" \
        || { fail $n "$kind $shape: no 'Could not hard link $dest$RO_LINK -> ...' in job $(field JobId "$RO_OUT")"; return 0; }
      [ ! -e "$dest$RO_LINK" ] || { fail $n "$kind $shape: $RO_LINK was created"; return 0; }
      [ -e "$dest$RO_OTHER" ] || { fail $n "$kind $shape: ${RO_OTHER#"$T"/} not restored"; return 0; }
      outcome[$kind]="$st '$term'"
      note "$kind $shape: restore $(field JobId "$RO_OUT") of ${RO_LINK#"$T"/} + ${RO_OTHER#"$T"/}: ${outcome[$kind]}"
      rm -rf -- "$dest"
    done
    [ "${outcome[plugin]}" = "${outcome[stock]}" ] \
      || { fail $n "restore with an entry $shape the lonely link: plugin ${outcome[plugin]}, stock ${outcome[stock]}"; return 0; }
    res+=" $shape: ${outcome[plugin]};"
  done
  pass "$n (plugin $RO_JOBID / stock $sj: 'Could not hard link', the other entry restored, as stock:$res)"
}
