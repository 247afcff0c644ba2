# shellcheck shell=bash
# Incrementals and their estimates equal to stock bacula-fd's on the same change set (docs/ptcomm.md §4.6, §8).
#   17  Accurate off: after the same changes (a file modified, one chmod'ed, one created, one deleted, one
#       renamed, a directory created with a file), the plugin's Incremental saves exactly the entries stock's
#       Incremental saves (same names; directories only when they changed, the root included), and each
#       `estimate level=Incremental` lists exactly what its Incremental then saves.
#   18  the same with Accurate on: saved names equal, and the names recorded deleted equal.

# catalog names of JOBID saved (FileIndex > 0) or recorded deleted (< 0), directories without the trailing /
ie_names() { # jobid saved|deleted
  local cmp='>'
  [ "$2" = deleted ] && cmp='<'
  H query "SELECT Name FROM PhpcFile WHERE JobId = $1 AND FileIndex $cmp 0 ORDER BY 1" | sed 's:\(.\)/$:\1:' | LC_ALL=C sort
}

# the names an estimate listing shows (as t_estimate.sh reads them)
ie_estimate_names() { # file
  sed -n 's/^[-a-zA-Z?][-rwxsStTl]\{9\}[.+@]\{0,1\} .* [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]  //p' "$1" \
    | sed -e 's/ -> .*//' -e 's:\(.\)/$:\1:' | LC_ALL=C sort
}

ie_scenario() { # test-name accurate(0|1)
  local n=$1 acc=$2 T S P dirs=() kind out jf ji est saved f
  [ "$acc" = 1 ] && dirs=(Accurate=yes)
  # two identical trees, so that the stock and the plugin job each see their own, identical, change set
  S=$(mk_tree "ie-$n-stock" -n 600 --big 0 --hardlinks 0)
  P=$(mk_tree "ie-$n-plugin" -n 600 --big 0 --hardlinks 0)
  sleep 1.2
  declare -A full=() incr=()
  for kind in stock plugin; do
    T=$S; [ $kind = plugin ] && T=$P
    out=$SCRATCH/$n.$kind.full
    if [ $kind = plugin ]; then hrun "$out" backup-plugin "podheitor-hpc:path=$T" Full "${dirs[@]}" || { fail_job $n "$kind Full" "$out"; return 0; }
    else hrun "$out" backup "$T" Full "${dirs[@]}" || { fail_job $n "$kind Full" "$out"; return 0; }; fi
    full[$kind]=$(field JobId "$out")
  done
  sleep 1.2
  for T in "$S" "$P"; do
    mapfile -t f < <(find "$T" -type f -name 'f0*.dat' | LC_ALL=C sort)
    echo "appended" >> "${f[0]}"
    chmod 0640 "${f[1]}"
    mv -- "${f[2]}" "${f[2]}.renamed"
    rm -f -- "${f[3]}"
    echo "new" > "$(dirname "${f[4]}")/new-file"
    mkdir "$T/newdir"; echo "in a new directory" > "$T/newdir/x"
  done
  for kind in stock plugin; do
    T=$S; [ $kind = plugin ] && T=$P
    est=$SCRATCH/$n.$kind.est
    if [ $kind = plugin ]; then H estimate-plugin "podheitor-hpc:path=$T" listing Incremental "${dirs[@]}" > "$est" 2>&1 || { fail $n "$kind estimate failed"; return 0; }
    else H estimate "$T" listing Incremental "${dirs[@]}" > "$est" 2>&1 || { fail $n "$kind estimate failed"; return 0; }; fi
    out=$SCRATCH/$n.$kind.incr
    if [ $kind = plugin ]; then hrun "$out" backup-plugin "podheitor-hpc:path=$T" Incremental "${dirs[@]}" || { fail_job $n "$kind Incremental" "$out"; return 0; }
    else hrun "$out" backup "$T" Incremental "${dirs[@]}" || { fail_job $n "$kind Incremental" "$out"; return 0; }; fi
    ji=$(field JobId "$out"); incr[$kind]=$ji
    [ "$(H query "SELECT Level FROM Job WHERE JobId=$ji")" = I ] \
      || { fail $n "$kind job $ji is not an Incremental (the Full was not found?)"; return 0; }
    ie_names "$ji" saved | sed "s:^$T:T:" > "$SCRATCH/$n.$kind.saved"
    ie_names "$ji" deleted | sed "s:^$T:T:" > "$SCRATCH/$n.$kind.deleted"
    ie_estimate_names "$est" | sed "s:^$T:T:" > "$SCRATCH/$n.$kind.estimated"
    if [ "$acc" = 0 ] && ! cmp -s "$SCRATCH/$n.$kind.estimated" "$SCRATCH/$n.$kind.saved"; then
      { diff "$SCRATCH/$n.$kind.estimated" "$SCRATCH/$n.$kind.saved" || true; } | head -20 >&2
      fail $n "$kind: estimate level=Incremental lists $(wc -l < "$SCRATCH/$n.$kind.estimated") names, its Incremental $ji saved $(wc -l < "$SCRATCH/$n.$kind.saved")"
      return 0
    fi
  done
  if ! cmp -s "$SCRATCH/$n.stock.saved" "$SCRATCH/$n.plugin.saved"; then
    { diff "$SCRATCH/$n.stock.saved" "$SCRATCH/$n.plugin.saved" || true; } | head -30 >&2
    fail $n "Incremental saved: stock $(wc -l < "$SCRATCH/$n.stock.saved") names (job ${incr[stock]}), plugin $(wc -l < "$SCRATCH/$n.plugin.saved") (job ${incr[plugin]}); see the test log"
    return 0
  fi
  if ! cmp -s "$SCRATCH/$n.stock.deleted" "$SCRATCH/$n.plugin.deleted"; then
    { diff "$SCRATCH/$n.stock.deleted" "$SCRATCH/$n.plugin.deleted" || true; } | head -30 >&2
    fail $n "recorded deleted: stock $(wc -l < "$SCRATCH/$n.stock.deleted"), plugin $(wc -l < "$SCRATCH/$n.plugin.deleted")"
    return 0
  fi
  pass "$n (Accurate=$acc: Incremental saved $(wc -l < "$SCRATCH/$n.plugin.saved") names == stock, $(wc -l < "$SCRATCH/$n.plugin.deleted") recorded deleted == stock$([ "$acc" = 0 ] && echo ", estimate == job for both"))"
}

test_17_incremental_equals_stock() {
  require_plugin incremental_equals_stock || return 0
  ie_scenario incremental_equals_stock 0
}

test_18_incremental_equals_stock_accurate() {
  require_plugin incremental_equals_stock_accurate || return 0
  ie_scenario incremental_equals_stock_accurate 1
}
