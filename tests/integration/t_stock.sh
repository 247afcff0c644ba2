# shellcheck shell=bash
# h. control: the stock FD (no plugin) backs up and restores the same kind of
# tree, which proves the harness, verify.py and the parity check.

test_01_stock_control() {
  local n=stock_control T out dest
  T=$(mk_tree base -n 3000 --big 2 --big-max-mib 8)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup "$T"; then fail_job $n "stock backup" "$out"; return 0; fi
  local jobid files want
  jobid=$(field JobId "$out"); files=$(field JobFiles "$out"); want=$(tree_count "$T")
  [ "$files" = "$want" ] || { fail $n "JobFiles=$files but the tree has $want entries"; return 0; }
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  local v
  if ! v=$(H verify "$T" "$dest" 2>&1); then fail $n "verify: $(echo "$v" | tail -n 1)"; echo "$v" >&2; return 0; fi
  note "$v"
  local p1 p2
  p1=$(H parity "$jobid" "$T" 2>&1) || { fail $n "parity (bconsole list files): $p1"; return 0; }
  p2=$(H parity "$jobid" "$T" --sql 2>&1) || { fail $n "parity (--sql): $p2"; return 0; }
  note "$p1"
  save_ctx stock.jobid "$jobid"
  rm -rf -- "$dest"
  pass "$n (JobId $jobid, $files files, verify OK, parity MATCH)"
}

test_02_stock_odd_names() {
  local n=stock_odd_names T out dest jobid
  T=$(mk_tree odd -n 300 --big 0 --odd-bytes --hardlinks 0)
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup "$T"; then fail_job $n "stock backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  local v
  if ! v=$(H verify "$T" "$dest" 2>&1); then fail $n "verify: $(echo "$v" | tail -n 1)"; echo "$v" >&2; return 0; fi
  local p
  p=$(H parity "$jobid" "$T" --sql 2>&1) || { fail $n "parity (--sql): $p"; return 0; }
  rm -rf -- "$dest"
  pass "$n (byte-exact names via the stock FD: verify OK, parity --sql MATCH)"
}
