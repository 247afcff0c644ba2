# shellcheck shell=bash
# Restore fidelity (docs/fidelity.md): a generated hostile tree (scripts/mkfidelity.py)
# backed up through the plugin, restored through bconsole, compared with the source:
#   60  xattrs (user/trusted/security), POSIX ACLs (access + default), ns atime/mtime,
#       sparse files (holes stay holes, allocated blocks compared; < 16 MiB through the pipe),
#       setuid/setgid/sticky, numeric owners, symlink owner+times, fifo/char/block
#       devices (rdev), empty dir/file, hard links, hostile names, ~4000-byte paths
#   61  the catalog names of that backup == those of a stock bacula-fd backup (SQL, hex)
#   62  aclsupport=no / xattrsupport=no leave ACLs / other xattrs out

# sparse/huge: 2 GiB apparent size, 1 MiB of data (kept small so that verify's hashing stays fast)
fid_tree() { mk_tree_fid fid --sparse-gib 2; }

# like mk_tree, with the fidelity generator
mk_tree_fid() { # name args... -> path
  local name=$1; shift
  local t=$TREES/$name
  if [ ! -e "$t.done" ]; then
    rm -rf -- "$t"
    mkdir -p "$TREES"
    python3 "$ROOT/scripts/mkfidelity.py" "$@" "$t" >&2 || return 1
    touch "$t.done"
  fi
  echo "$t"
}

# catalog names of a job, hex-encoded (exact bytes), sorted
catalog_hex() { # jobid
  H query "SELECT hex(Path.Path || Filename.Name) FROM File JOIN Path ON Path.PathId = File.PathId
           JOIN Filename ON Filename.FilenameId = File.FilenameId WHERE File.JobId = $1 ORDER BY 1"
}

test_60_fidelity_restore() {
  local n=fidelity_restore T out jobid dest v
  require_plugin $n || return 0
  T=$(fid_tree) || { fail $n "mkfidelity.py failed"; return 0; }
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  save_ctx fid.plugin "$jobid"
  local bytes
  bytes=$(field JobBytes "$out")
  [ "${bytes:-0}" -lt $((16 << 20)) ] || { fail $n "JobBytes=$bytes: the holes of sparse/huge went through the pipe"; return 0; }
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  if ! v=$(H verify "$T" "$dest" --xattrs --ns-times --blocks --allow-missing special/sock 2>&1); then
    echo "$v" >&2
    fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //') (details in the test log)"; return 0
  fi
  note "$v"
  rm -rf -- "$dest"
  pass "$n (JobId $jobid, JobBytes=$bytes: xattrs, ACLs, ns times, sparse blocks, setuid/sticky, owners, devices, hard links, hostile names: verify OK)"
}

test_61_fidelity_catalog_like_stock() {
  local n=fidelity_catalog_like_stock T out pj sj
  require_plugin $n || return 0
  T=$(fid_tree) || { fail $n "mkfidelity.py failed"; return 0; }
  pj=$(load_ctx fid.plugin)
  if [ -z "$pj" ]; then
    out=$SCRATCH/$n.pbackup
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "plugin backup" "$out"; return 0; fi
    pj=$(field JobId "$out")
  fi
  out=$SCRATCH/$n.sbackup
  if ! hrun "$out" backup "$T"; then fail_job $n "stock backup" "$out"; return 0; fi
  sj=$(field JobId "$out")
  catalog_hex "$pj" > "$SCRATCH/$n.plugin"
  catalog_hex "$sj" > "$SCRATCH/$n.stock"
  if ! diff "$SCRATCH/$n.stock" "$SCRATCH/$n.plugin" >&2; then
    fail $n "catalog names of plugin job $pj differ from stock job $sj (hex diff in the test log)"; return 0
  fi
  pass "$n (jobs $pj/$sj: $(wc -l < "$SCRATCH/$n.plugin") names byte-identical)"
}

test_62_fidelity_acl_xattr_keys() {
  local n=fidelity_acl_xattr_keys T out jobid dest r
  require_plugin $n || return 0
  T=$(fid_tree) || { fail $n "mkfidelity.py failed"; return 0; }
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;aclsupport=no"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  r=$dest$T
  if getfattr -h -m - -d "$r/meta/acl" 2>/dev/null | grep -q posix_acl; then fail $n "aclsupport=no: ACL restored"; return 0; fi
  getfattr -h -n user.plain "$r/meta/xattrs" >/dev/null 2>&1 || { fail $n "aclsupport=no: user xattr lost"; return 0; }
  out=$SCRATCH/$n.backup2
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;xattrsupport=no"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  dest=$(scratch $n)
  if ! hrun "$SCRATCH/$n.restore2" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore2"; return 0; fi
  r=$dest$T
  if getfattr -h -n user.plain "$r/meta/xattrs" >/dev/null 2>&1; then fail $n "xattrsupport=no: user xattr restored"; return 0; fi
  getfattr -h -n system.posix_acl_access "$r/meta/acl" >/dev/null 2>&1 || { fail $n "xattrsupport=no: ACL lost"; return 0; }
  rm -rf -- "$dest"
  pass "$n (aclsupport=no drops ACLs only, xattrsupport=no drops other xattrs only)"
}
