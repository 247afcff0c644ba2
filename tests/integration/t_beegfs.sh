# shellcheck shell=bash
# mode=beegfs (docs/changelog.md §6): one walk per BeeGFS metadata target, on a local tree with the fake
# beegfs-ctl of hpc-changelog/src/test/python (BeeGFS 7.x formats; two metadata targets, the owners of the top
# directories from a table, a renamed one by a hash of its name).
#   99  Full with mode=beegfs (the job log names the targets and the top directories per target, and at the end
#       what each target's walk did), then create / modify / delete / rename a file / rename a directory / chmod /
#       a new top directory, and an Accurate Incremental walked per target: the deleted and renamed-away names
#       recorded deleted, the restore of Full + Incremental equals the live tree. Then a target offline: one
#       warning, its directories walked by the other target's walk, the latest state still exact; and no
#       beegfs-ctl on the PATH: one warning, the plain walk.

test_99_beegfs() {
  local n=beegfs base T bin W out fj ij i2 i3 log del want R jname st
  require_plugin $n || return 0
  base=$(trusted_dir "$n")
  T=$base/beegfs/proj; bin=$base/bin
  mkdir -p -- "$T/d1" "$T/d2/deep" "$T/d3/x/y" "$T/d4" "$T/d5" "$bin"
  printf 'a\n' > "$T/a"; printf 'b\n' > "$T/b"; printf 'old\n' > "$T/old"; printf 'w\n' > "$T/with space"
  printf 'x\n' > "$T/d2/deep/x"; printf 'y\n' > "$T/d2/y"; printf 'z\n' > "$T/d3/x/y/z"; printf 'q\n' > "$T/d4/q"
  install -m 755 "$ROOT/hpc-changelog/src/test/python/fake_beegfs_ctl.py" "$bin/beegfs-ctl"
  printf 'd1 1\nd2 2\nd3 2\nd4 1\nd5 1\nd6 2\n' > "$base/owners"   # "d2 moved": by crc32 of the name
  W=$base/backend
  printf '#!/bin/sh\n[ -e %s/no-tool ] || PATH=%s:$PATH\nFAKE_BEEGFS_OWNERS=%s/owners\nexport PATH FAKE_BEEGFS_OWNERS\n[ ! -e %s/offline ] || { FAKE_BEEGFS_TARGETS=1:meta01:Online:Good,2:meta02:Offline:Good; export FAKE_BEEGFS_TARGETS; }\nexec %s "$@"\n' \
    "$base" "$bin" "$base" "$base" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$W"
  local ps="podheitor-hpc:path=$T;mode=beegfs;backend=$W"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  log=$(H joblog "$fj")
  grep -q "beegfs: 2 metadata targets (1 Online/Good, 2 Online/Good); the tree's 5 top directories walked per target: meta0" <<< "$log" \
    && grep -q "beegfs: per target: meta0" <<< "$log" \
    || { fail $n "Full $fj did not walk per target: $(grep -m3 -i -e beegfs -e walk <<< "$log" | tr '\n' ' ')"; return 0; }
  note "$(grep -m1 'beegfs: 2 metadata' <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-220)"
  note "$(grep -m1 'beegfs: per target' <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-220)"
  sleep 1.1   # the Incremental's since is the Full's start (1 s resolution): changes after it
  printf 'n\n' > "$T/d1/new file"; printf 'more\n' >> "$T/a"; chmod 600 "$T/b"; rm -f -- "$T/old"
  mv -- "$T/with space" "$T/renamed  with space"; mv -- "$T/d2" "$T/d2 moved"; mkdir -- "$T/d6"
  printf 'six\n' > "$T/d6/s"; chmod 700 "$T/d4"; printf 'odd\n' > "$T/d5/odd$(printf '\377\376')"
  out=$SCRATCH/$n.incr
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "per-target Incremental" "$out"; return 0; fi
  ij=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "Incremental $ij: JobStatus=$st"; return 0; }
  log=$(H joblog "$ij")
  grep -q "the tree's 6 top directories walked per target" <<< "$log" && grep -q "beegfs: per target: meta0" <<< "$log" \
    || { fail $n "Incremental $ij did not walk per target: $(grep -m3 -i -e beegfs -e walk <<< "$log" | tr '\n' ' ')"; return 0; }
  del=$(cl_names "$ij" deleted | LC_ALL=C sort)
  want=$(printf '%s\n' "$T/d2/" "$T/d2/deep/" "$T/d2/deep/x" "$T/d2/y" "$T/old" "$T/with space" | LC_ALL=C sort)
  [ "$del" = "$want" ] || { note "deleted: $(tr '\n' '|' <<< "$del")"; fail $n "Incremental $ij recorded other deletions than the removed entries"; return 0; }
  cl_names "$ij" saved | grep -qxF "$T/d2 moved/deep/x" || { fail $n "Incremental $ij did not save the renamed directory's contents"; return 0; }
  R=$(scratch "$n.restore")
  out=$SCRATCH/$n.restore-job
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore of Full + Incremental" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify" 2>&1; then
    cat "$SCRATCH/$n.verify" >&2; fail $n "restore of Full $fj + Incremental $ij differs from the live tree"; return 0
  fi
  # meta02 offline: one warning, its directories walked by meta01's walk
  touch "$base/offline"; sleep 1.1
  printf 'later\n' > "$T/d3/later"; rm -f -- "$T/b"; printf 'q2\n' >> "$T/d4/q"
  out=$SCRATCH/$n.incr2
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then rm -f "$base/offline"; fail_job $n "Incremental with a target offline" "$out"; return 0; fi
  rm -f "$base/offline"
  i2=$(field JobId "$out"); log=$(H joblog "$i2")
  grep -q "beegfs: metadata node meta02 \[ID: 2\] is Offline/Good: its [34] top directories are walked by the other targets' walks" <<< "$log" \
    && grep -q "beegfs: per target: meta01 \[ID: 1\] 6 top directories" <<< "$log" \
    || { fail $n "Incremental $i2 with meta02 offline: $(grep -m3 -i -e beegfs <<< "$log" | tr '\n' ' ')"; return 0; }
  # no beegfs-ctl: one warning, the plain walk
  touch "$base/no-tool"; sleep 1.1
  printf 'last\n' > "$T/d6/last"; rm -rf -- "$T/d3/x"
  out=$SCRATCH/$n.incr3
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then rm -f "$base/no-tool"; fail_job $n "Incremental without beegfs-ctl" "$out"; return 0; fi
  rm -f "$base/no-tool"
  i3=$(field JobId "$out"); log=$(H joblog "$i3")
  grep -q "beegfs: no beegfs-ctl on the backend's PATH" <<< "$log" && ! grep -q "beegfs: per target" <<< "$log" \
    || { fail $n "Incremental $i3 without beegfs-ctl: $(grep -m3 -i -e beegfs <<< "$log" | tr '\n' ' ')"; return 0; }
  R=$(scratch "$n.restore2")
  out=$SCRATCH/$n.restore-job2
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore of the latest state" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify2" 2>&1; then
    cat "$SCRATCH/$n.verify2" >&2; fail $n "restore of the latest state (after the offline and plain Incrementals) differs from the live tree"; return 0
  fi
  pass "$n (Full $fj and Incremental $ij walked per target, 6 deletions exact, latest == live; meta02 offline: Incremental $i2 warned, meta01 walked all; no beegfs-ctl: Incremental $i3 warned and walked plainly; latest == live)"
}
