# shellcheck shell=bash
# Restore fidelity (docs/fidelity.md): a generated hostile tree (scripts/mkfidelity.py)
# backed up through the plugin, restored through bconsole, compared with the source:
#   60  xattrs (user/trusted/security), POSIX ACLs (access + default), ns atime/mtime,
#       sparse files (holes stay holes, allocated blocks compared; < 16 MiB through the pipe),
#       setuid/setgid/sticky, numeric owners, symlink owner+times, fifo/char/block
#       devices (rdev), empty dir/file, hard links, hostile names, ~4000-byte paths
#   61  the catalog names of that backup == those of a stock bacula-fd backup (SQL, hex)
#   62  aclsupport=no / xattrsupport=no leave ACLs / other xattrs out
#   63  restore into a file system without xattr/ACL support (a ramfs mounted by the test):
#       one warning for the whole restore, no error, content/modes/owners/ns times intact
#   64  names survive a backend that runs under LANG=C / LC_ALL=C (a JVM whose
#       sun.jnu.encoding is then ASCII): hostile names backed up (through a backend= wrapper that
#       sets the C locale) and restored byte for byte, catalog names == the tree's names, in hex.
#       A restore ignores the stored backend= and runs the installed launcher, which inherits the
#       FD's environment: the restore runs on a second bacula-fd started under the C locale.

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
  H query "SELECT hex(Name) FROM PhpcFile WHERE JobId = $1 ORDER BY 1"
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
  if getfattr -h -m - -d "$r/meta/acl" 2>/dev/null | grep posix_acl >/dev/null; then fail $n "aclsupport=no: ACL restored"; return 0; fi
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

test_63_fidelity_restore_without_xattr_support() {
  local n=fidelity_restore_without_xattr_support T out jobid M log v nw
  require_plugin $n || return 0
  T=$(mk_tree_fid fid-small --no-sparse) || { fail $n "mkfidelity.py failed"; return 0; }
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  M=$SCRATCH/ramfs
  mkdir -p -- "$M"
  mountpoint -q -- "$M" && umount -- "$M"
  mount -t ramfs ramfs "$M" || { fail $n "cannot mount a ramfs on $M (needed: CAP_SYS_ADMIN)"; return 0; }
  # shellcheck disable=SC2064
  trap "umount -- '$M' 2>/dev/null || umount -l -- '$M' 2>/dev/null || true" EXIT INT TERM
  : > "$M/probe"
  if setfattr -n user.probe -v 1 "$M/probe" 2>/dev/null; then fail $n "$M supports xattrs: not the test's premise"; return 0; fi
  if ! hrun "$SCRATCH/$n.restore" restore "$jobid" "$M"; then fail_job $n "restore of job $jobid into the ramfs" "$SCRATCH/$n.restore"; return 0; fi
  log=$(H joblog "$(field JobId "$SCRATCH/$n.restore")")
  nw=$(grep -c 'does not support extended attributes or ACLs' <<< "$log" || true)
  [ "$nw" = 1 ] || { fail $n "want exactly one 'does not support extended attributes or ACLs' warning, got $nw"; return 0; }
  ! grep -E -q ' (Error|Fatal error): ' <<< "$log" || { fail $n "errors in the restore: $(grep -E -m1 ' (Error|Fatal error): ' <<< "$log")"; return 0; }
  [ "$(field JobStatus "$SCRATCH/$n.restore")" = T ] || { fail $n "restore JobStatus $(field JobStatus "$SCRATCH/$n.restore")"; return 0; }
  if ! v=$(H verify "$T" "$M" --ns-times --allow-missing special/sock 2>&1); then
    echo "$v" >&2; fail $n "verify (without xattrs): $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  [ -z "$(getfattr -h -d -m - "$M$T/meta/xattrs" 2>/dev/null)" ] || { fail $n "xattrs on the ramfs?"; return 0; }
  note "$v"
  umount -- "$M"; trap - EXIT INT TERM
  rmdir -- "$M"
  pass "$n (JobId $jobid restored into a ramfs: one warning, no error, JobStatus T; content, modes, owners, ns times, devices, links, names verified)"
}

# hex of every name below (and of) PATH as the catalog spells it (directories with a trailing /), sorted
tree_hex() { # path
  python3 - "$1" <<'PY'
import os, sys
root = os.fsencode(sys.argv[1])
out = [(root + b"/").hex().upper()]
for d, dirs, files in os.walk(root):
    for x in dirs:
        p = os.path.join(d, x)
        out.append((p + (b"/" if not os.path.islink(p) else b"")).hex().upper())
    for x in files:
        out.append(os.path.join(d, x).hex().upper())
print("\n".join(sorted(out)))
PY
}

test_64_fidelity_names_under_c_locale() {
  local n=fidelity_names_under_c_locale T W E out jobid dest v jnu java
  require_plugin $n || return 0
  T=$(fid_tree) || { fail $n "mkfidelity.py failed"; return 0; }
  T=$T/names
  java=$(head -n 1 "$ROOT/build/java.home")/bin/java
  jnu=$(env -i PATH=/usr/bin:/bin LANG=C LC_ALL=C "$java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *sun.jnu.encoding = //p')
  [ "$jnu" = ANSI_X3.4-1968 ] || { fail $n "premise: a JVM under LC_ALL=C has sun.jnu.encoding '$jnu', not ASCII"; return 0; }
  W=$(trusted_dir "$n")/backend; E=$SCRATCH/$n.env
  rm -f -- "$E".*
  # the backup's backend: C locale, and a record of it per start
  printf '#!/bin/sh\nexport LANG=C LC_ALL=C\nunset LANGUAGE LC_CTYPE\nenv > %s.$$\nexec %s "$@"\n' "$E" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$W"
  out=$SCRATCH/$n.backup
  if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;backend=$W"; then fail_job $n "plugin backup" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  if ! diff <(tree_hex "$T") <(catalog_hex "$jobid") >&2; then
    fail $n "catalog names of job $jobid differ from the tree's (hex diff in the log)"; return 0
  fi
  local starts
  starts=$(cat "$E".* 2>/dev/null | grep -c '^LC_ALL=C$' || true)
  [ "$starts" = 1 ] || { fail $n "the backup's backend did not run under LC_ALL=C ($starts starts seen)"; return 0; }
  # the restore: the installed launcher (the stored backend= is ignored), which inherits the FD's
  # environment, on a second bacula-fd started under the C locale
  H down2 >&2 || true
  env -u LANGUAGE -u LC_CTYPE LANG=C LC_ALL=C "$ROOT/scripts/lib/bacula-harness.sh" up2 >&2 \
    || { fail $n "could not start the second bacula-fd under LC_ALL=C"; return 0; }
  local fd2 rout rj
  fd2=$(cat "$IT_STATE/run/phpc-fd2.pid" 2>/dev/null || true)
  if [ -z "$fd2" ] || ! tr '\0' '\n' < "/proc/$fd2/environ" | grep -x 'LC_ALL=C' >/dev/null; then
    H down2 >&2 || true; fail $n "premise: the second bacula-fd (pid '${fd2:-none}') does not run under LC_ALL=C"; return 0
  fi
  dest=$(scratch $n)
  rout=$SCRATCH/$n.restore
  if ! hrun "$rout" restore "$jobid" "$dest" restoreclient=phpc-fd2; then
    H down2 >&2 || true; fail_job $n "restore of job $jobid on phpc-fd2" "$rout"; return 0
  fi
  H down2 >&2 || true
  rj=$(field JobId "$rout")
  if ! v=$(H verify "$T" "$dest" --xattrs --ns-times 2>&1); then
    echo "$v" >&2; fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  starts=$(cat "$E".* 2>/dev/null | grep -c '^LC_ALL=C$' || true)
  [ "$starts" = 1 ] || { fail $n "the stored backend= wrapper ran for the restore ($starts starts seen)"; return 0; }
  H joblog "$rj" | grep -F "restore: ignoring backend \"$W\" stored with the backup" >/dev/null \
    || { fail $n "restore job $rj: no warning that the stored backend was ignored"; return 0; }
  note "$v"
  rm -rf -- "$dest"
  pass "$n (JobId $jobid, backup's backend under LC_ALL=C, restore $rj by the installed backend on a bacula-fd under LC_ALL=C (such a JVM's sun.jnu.encoding is $jnu): $(catalog_hex "$jobid" | wc -l) catalog names == tree, restore verified byte for byte)"
}
