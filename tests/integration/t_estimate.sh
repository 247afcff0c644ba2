# shellcheck shell=bash
# d. 'estimate job=... listing' through the plugin lists what a backup saves.

# names from an estimate listing ("-rw-r--r--   1 root  root  123 2024-01-01 00:00:00  /path"),
# without symlink targets and trailing /
estimate_names() {
  sed -n 's/^[-a-zA-Z?][-rwxsStTl]\{9\}[.+@]\{0,1\} .* [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]  //p' \
    | sed -e 's/ -> .*//' -e 's:\(.\)/$:\1:'
}

estimate_check() { # test-name kind(stock|plugin) tree
  local n=$1 kind=$2 T=$3 out want got
  out=$SCRATCH/$n.est
  local rc=0
  if [ "$kind" = plugin ]; then
    H estimate-plugin "podheitor-hpc:path=$T" listing > "$out" 2> "$out.err" || rc=$?
  else
    H estimate "$T" listing > "$out" 2> "$out.err" || rc=$?
  fi
  cat "$out.err" >&2
  if [ $rc != 0 ]; then fail "$n" "estimate failed: $(grep -v '^Estimate_' "$out" | tail -n 3 | tr '\n' ' ')"; return 0; fi
  got=$(sed -n 's/^Estimate_files=\([0-9]*\).*/\1/p' "$out")
  want=$(tree_count "$T")
  if [ "$got" != "$want" ]; then
    local msg
    msg=$(grep -v -e '^Estimate_' -e '^2000 OK estimate' "$out" | grep -v '^[-a-z][-rwxsStT]\{9\}' | head -n 2 | tr '\n' ' ')
    fail "$n" "estimate files=$got, find counts $want entries${msg:+ (estimate said: $msg)}"
    return 0
  fi
  local a=$SCRATCH/$n.est.names b=$SCRATCH/$n.find.names
  estimate_names < "$out" | LC_ALL=C sort > "$a"
  find "$T" -xdev | LC_ALL=C sort > "$b"
  if ! LC_ALL=C cmp -s "$a" "$b"; then
    LC_ALL=C diff "$a" "$b" | head -n 20 >&2
    fail "$n" "estimate listing ($(wc -l < "$a") names) differs from find ($(wc -l < "$b") names): see the test log"
    return 0
  fi
  # and a backup of the same FileSet saves as many entries
  local jobid
  jobid=$(load_ctx "pfull.$(basename "$T")")
  [ "$kind" = stock ] && jobid=$(load_ctx stock.jobid)
  if [ -n "$jobid" ]; then
    local jf
    jf=$(H query "SELECT JobFiles FROM Job WHERE JobId=$jobid")
    [ "$jf" = "$got" ] || { fail "$n" "estimate says $got files, backup job $jobid saved $jf"; return 0; }
  fi
  pass "$n (estimate files=$got == find == listing${jobid:+ == JobFiles of job $jobid})"
}

test_04_stock_estimate() {
  estimate_check stock_estimate stock "$(mk_tree base -n 3000 --big 2 --big-max-mib 8)"
}

test_14_plugin_estimate() {
  require_plugin plugin_estimate || return 0
  estimate_check plugin_estimate plugin "$(plugin_tree)"
}
