# shellcheck shell=bash
# Change-driven Incrementals (docs/changelog.md): mode=lustre with changelog_user, on an emulated Lustre (the fake
# lfs/lctl of hpc-changelog/src/test/c, driven by tests/integration/fake_lustre.py, which applies each operation to
# a real local tree and appends the record lfs would print).
#   94  Full (cursor taken before the walk, committed at the end: the consumer's records cleared), then create /
#       modify / chmod / delete / rename a file with blanks / rename a directory / new directory / a name of odd
#       bytes / a change outside path=, and an Accurate Incremental: it reads the changelog instead of walking,
#       saves exactly the changed entries (and the directories they changed in, the renamed directory whole),
#       records exactly the deleted ones deleted, and the restore of Full + Incremental equals the live tree. Then
#       a job that dies while it reads the changelog (kill -9 of the backend) leaves the cursor where it was, and
#       the next Incremental saves the same change again. A record with the zero FID is read and ignored.
#   95  The consumer garbage-collected by the MDS (deregistered, its records purged): the Incremental says so in the
#       job log, walks the tree (a correct Incremental, never a partial one), and the restore of Full +
#       Incremental equals the live tree; the same for a record gap (records purged behind the cursor), first.

cl_names() { # jobid saved|deleted -> catalog names (sorted)
  local cmp='>'
  [ "$2" = deleted ] && cmp='<'
  H query "SELECT Name FROM PhpcFile WHERE JobId = $1 AND FileIndex $cmp 0 ORDER BY 1"
}

cl_fake() { python3 "$ROOT/tests/integration/fake_lustre.py" "$CL_STATE" "$@"; }

test_94_changelog_lustre() {
  local n=changelog_lustre base M T bin W sd out fj ij st log got want del jname i
  require_plugin $n || return 0
  base=$(trusted_dir "$n")
  M=$base/mnt; T=$M/proj; bin=$base/bin; sd=$base/state; CL_STATE=$base/fake
  install -d -m 700 -- "$sd"
  mkdir -p -- "$T/d1" "$T/d2/deep" "$M/other" "$bin/real"
  printf 'a\n' > "$T/a"; printf 'b\n' > "$T/b"; printf 'old\n' > "$T/old"; printf 'w\n' > "$T/with space"
  printf 'x\n' > "$T/d2/deep/x"; printf 'y\n' > "$T/d2/y"; printf 'o\n' > "$M/other/o"
  if ! make -s -C "$ROOT/hpc-changelog/src/test/c" O="$base/build" > "$SCRATCH/$n.make" 2>&1; then
    cat "$SCRATCH/$n.make" >&2; fail $n "building the fake lfs/lctl failed"; return 0
  fi
  cp "$base/build/bin/lfs" "$base/build/bin/lctl" "$bin/real/"
  # lfs: the fake, except that fid2path waits while $base/hang exists (a job to kill while it reads the changelog)
  printf '#!/bin/sh\nif [ "$1" = fid2path ] && [ -e %s/hang ]; then sleep 120; fi\nFAKE_CHANGELOG_DIR=%s exec %s/real/lfs "$@"\n' \
    "$base" "$CL_STATE" "$bin" > "$bin/lfs"
  printf '#!/bin/sh\nFAKE_CHANGELOG_DIR=%s exec %s/real/lctl "$@"\n' "$CL_STATE" "$bin" > "$bin/lctl"
  W=$base/backend
  printf '#!/bin/sh\nPATH=%s:$PATH\nexport PATH\nexec %s "$@"\n' "$bin" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$bin/lfs" "$bin/lctl" "$W"
  cl_fake init "$M" testfs || { fail $n "fake_lustre.py init failed"; return 0; }
  local cl
  cl=$("$bin/lctl" --device testfs-MDT0000 changelog_register -n) || { fail $n "changelog_register failed"; return 0; }
  [ "$cl" = cl1 ] || { fail $n "changelog_register printed '$cl', want cl1"; return 0; }
  local ps="podheitor-hpc:path=$T;mode=lustre;changelog_user=cl1;state_dir=$sd;backend=$W"

  # the Full: walks, takes the cursor before the walk and commits it when the job ended OK
  cl_fake create "proj/before full" b4 || { fail $n "fake_lustre.py create failed"; return 0; }
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  log=$(H joblog "$fj")
  grep -q "changelog: a Full walks; cursor {testfs-MDT0000=1}" <<< "$log" \
    || { fail $n "Full $fj: no changelog cursor line in the job log: $(grep -m3 -i changelog <<< "$log" | tr '\n' ' ')"; return 0; }
  grep -qx "cl1   1 ([0-9]*)" < <(FAKE_CHANGELOG_DIR=$CL_STATE "$bin/real/lctl" get_param -n mdd.testfs-MDT0000.changelog_users) \
    || { fail $n "after the Full the consumer's records up to 1 are not cleared: $(FAKE_CHANGELOG_DIR=$CL_STATE "$bin/real/lctl" get_param -n mdd.testfs-MDT0000.changelog_users | tr '\n' ' ')"; return 0; }

  # the changes, each recorded as Lustre would
  cl_fake create "proj/d1/new file" n && cl_fake write proj/a more && cl_fake chmod proj/b 600 \
    && cl_fake unlink proj/old && cl_fake rename "proj/with space" "proj/renamed  with space" \
    && cl_fake rename proj/d2 "proj/d2 moved" && cl_fake mkdir proj/d3 && cl_fake create proj/d3/x x3 \
    && cl_fake create "proj/odd$(printf '\377\376')" odd && cl_fake create other/outside o && cl_fake zero \
    || { fail $n "fake_lustre.py operations failed"; return 0; }
  out=$SCRATCH/$n.incr
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "changelog Incremental" "$out"; return 0; fi
  ij=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "Incremental $ij: JobStatus=$st"; return 0; }
  log=$(H joblog "$ij")
  grep -q "changelog: 11 records of 1 MDT(s) read up to {testfs-MDT0000=12}" <<< "$log" \
    || { fail $n "Incremental $ij did not read the changelog: $(grep -m3 -i -e changelog -e warn <<< "$log" | tr '\n' ' ')"; return 0; }
  got=$(cl_names "$ij" saved)
  want=$(printf '%s\n' "$T/" "$T/a" "$T/b" "$T/d1/" "$T/d1/new file" "$T/renamed  with space" "$T/d2 moved/" \
    "$T/d2 moved/y" "$T/d2 moved/deep/" "$T/d2 moved/deep/x" "$T/d3/" "$T/d3/x" "$T/odd$(printf '\377\376')" | LC_ALL=C sort)
  if [ "$(LC_ALL=C sort <<< "$got")" != "$want" ]; then
    note "saved: $(tr '\n' '|' <<< "$got")"; note "want:  $(tr '\n' '|' <<< "$want")"
    fail $n "Incremental $ij saved other entries than the changed ones"; return 0
  fi
  del=$(cl_names "$ij" deleted | LC_ALL=C sort)
  want=$(printf '%s\n' "$T/d2/" "$T/d2/deep/" "$T/d2/deep/x" "$T/d2/y" "$T/old" "$T/with space" | LC_ALL=C sort)
  [ "$del" = "$want" ] || { note "deleted: $(tr '\n' '|' <<< "$del")"; fail $n "Incremental $ij recorded other deletions than the changelog's"; return 0; }
  # the latest state restored == the live tree
  local R
  R=$(scratch "$n.restore")
  out=$SCRATCH/$n.restore-job
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore of Full + Incremental" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify" 2>&1; then
    cat "$SCRATCH/$n.verify" >&2; fail $n "restore of Full $fj + Incremental $ij differs from the live tree"; return 0
  fi

  # a job that dies while it reads the changelog: the cursor stays, the next job saves the same change
  cl_fake create proj/z zz || { fail $n "fake_lustre.py create z failed"; return 0; }
  touch "$base/hang"
  out=$SCRATCH/$n.killed
  H backup-plugin "$ps" Incremental Accurate=yes > "$out" 2> "$out.err" &
  local hp=$! kids=()
  for ((i = 0; i < 300; i++)); do   # until the backend's lfs fid2path waits
    mapfile -t kids < <(H backend-pids 2>/dev/null)
    pgrep -f "sleep 120" > /dev/null && [ ${#kids[@]} -gt 0 ] && break
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.1
  done
  mapfile -t kids < <(H backend-pids 2>/dev/null)
  [ ${#kids[@]} -gt 0 ] || { wait "$hp"; rm -f "$base/hang"; fail $n "no backend to kill (job $(field JobId "$out"))"; return 0; }
  kill -9 "${kids[@]}" 2>/dev/null || true
  wait "$hp" || true
  rm -f "$base/hang"
  local kj
  kj=$(field JobId "$out"); st=$(H jobstatus "$kj")
  case "$st" in E|f) ;; *) fail $n "the killed job $kj ended $st, want E or f"; return 0;; esac
  out=$SCRATCH/$n.after
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "Incremental after the killed job" "$out"; return 0; fi
  local aj
  aj=$(field JobId "$out")
  log=$(H joblog "$aj")
  grep -q "changelog: 1 records of 1 MDT(s) read up to {testfs-MDT0000=13}" <<< "$log" \
    || { fail $n "Incremental $aj after the killed job $kj did not re-read record 13: $(grep -m3 -i changelog <<< "$log" | tr '\n' ' ')"; return 0; }
  cl_names "$aj" saved | grep -qx "$T/z" || { fail $n "Incremental $aj did not save z"; return 0; }
  grep -qx "cl1   13 ([0-9]*)" < <(FAKE_CHANGELOG_DIR=$CL_STATE "$bin/real/lctl" get_param -n mdd.testfs-MDT0000.changelog_users) \
    || { fail $n "after job $aj the records up to 13 are not cleared"; return 0; }
  pass "$n (Full $fj took cursor 1; Incremental $ij read 11 records (one with a zero FID), saved the 13 changed entries, recorded the 6 deleted ones, restore == live tree; killed job $kj ($st) left the cursor, job $aj re-read record 13 and cleared it)"
}

test_95_changelog_untrusted() {
  local n=changelog_untrusted base M T bin W sd out fj ij log R jname
  require_plugin $n || return 0
  base=$(trusted_dir "$n")
  M=$base/mnt; T=$M/proj; bin=$base/bin; sd=$base/state; CL_STATE=$base/fake
  install -d -m 700 -- "$sd"
  mkdir -p -- "$T/d" "$bin"
  printf 'a\n' > "$T/a"; printf 'b\n' > "$T/d/b"
  if ! make -s -C "$ROOT/hpc-changelog/src/test/c" O="$base/build" > "$SCRATCH/$n.make" 2>&1; then
    cat "$SCRATCH/$n.make" >&2; fail $n "building the fake lfs/lctl failed"; return 0
  fi
  printf '#!/bin/sh\nFAKE_CHANGELOG_DIR=%s exec %s/build/bin/lfs "$@"\n' "$CL_STATE" "$base" > "$bin/lfs"
  printf '#!/bin/sh\nFAKE_CHANGELOG_DIR=%s exec %s/build/bin/lctl "$@"\n' "$CL_STATE" "$base" > "$bin/lctl"
  W=$base/backend
  printf '#!/bin/sh\nPATH=%s:$PATH\nexport PATH\nexec %s "$@"\n' "$bin" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$bin/lfs" "$bin/lctl" "$W"
  cl_fake init "$M" testfs && "$bin/lctl" --device testfs-MDT0000 changelog_register -n > /dev/null \
    || { fail $n "fake Lustre set-up failed"; return 0; }
  local ps="podheitor-hpc:path=$T;mode=lustre;changelog_user=cl1;state_dir=$sd;backend=$W"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  local what step=0
  for what in gap gc; do
    step=$((step + 1))
    cl_fake create "proj/new $what" x && cl_fake create "proj/d/more $what" y \
      && { [ ! -e "$T/d/b" ] || cl_fake unlink proj/d/b; } && cl_fake create "proj/last $what" z \
      || { fail $n "fake_lustre.py failed"; return 0; }
    if [ $what = gap ]; then
      # records purged behind the consumer's back: the first record left is not the cursor + 1
      printf '%s\n' "$(( $(cl_fake last) - 1 ))" > "$CL_STATE/testfs-MDT0000.purged"
    else
      cl_fake gc cl1
    fi
    out=$SCRATCH/$n.incr$step
    if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "Incremental after $what" "$out"; return 0; fi
    ij=$(field JobId "$out")
    log=$(H joblog "$ij")
    case $what in
      gc) grep -q "changelog consumer cl1 is not registered on testfs-MDT0000.*full walk" <<< "$log" \
            || { fail $n "Incremental $ij after the consumer was garbage-collected: no full-walk message: $(grep -m3 -i changelog <<< "$log" | tr '\n' ' ')"; return 0; };;
      gap) grep -q "testfs-MDT0000 changelog: record [0-9]* follows .*are missing.*full walk" <<< "$log" \
            || { fail $n "Incremental $ij after the gap: no full-walk message: $(grep -m3 -i changelog <<< "$log" | tr '\n' ' ')"; return 0; };;
    esac
    note "$what: $(grep -m1 -i 'full walk' <<< "$log" | sed 's/^.*JobId [0-9]*: //')"
    R=$(scratch "$n.restore$step")
    out=$SCRATCH/$n.restore-job$step
    if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore after $what" "$out"; return 0; fi
    if ! H verify "$T" "$R" > "$SCRATCH/$n.verify$step" 2>&1; then
      cat "$SCRATCH/$n.verify$step" >&2; fail $n "restore of the latest state after $what differs from the live tree"; return 0
    fi
  done
  pass "$n (Full $fj; a record gap, then a garbage-collected consumer: each Incremental said why and walked; latest == live tree both times)"
}

# 96  mode=gpfs through real Bacula on an emulated GPFS (hpc-changelog/src/test/python/fake_mmapplypolicy.py on the
#     backend's PATH: reads the policy the backend writes, scans the real tree, writes the escaped lists): Full,
#     then create / modify / chmod / delete / rename a file with blanks / rename a directory / new directory / an
#     odd-byte name, and an Accurate Incremental from the policy scan: the job log says so, the deleted entries
#     are recorded deleted, the renamed directory is saved under its new name, and the restore of Full +
#     Incremental equals the live tree; the policy scan made to fail (FAKE_MMAPPLYPOLICY_FAIL) -> one warning
#     and a walk, still exact.
test_96_changelog_gpfs() {
  local n=changelog_gpfs base T bin W out fj ij log del R jname st
  require_plugin $n || return 0
  base=$(trusted_dir "$n")
  T=$base/gpfs/proj; bin=$base/bin
  mkdir -p -- "$T/d1" "$T/d2/deep" "$bin"
  printf 'a\n' > "$T/a"; printf 'b\n' > "$T/b"; printf 'old\n' > "$T/old"; printf 'w\n' > "$T/with space"
  printf 'x\n' > "$T/d2/deep/x"; printf 'y\n' > "$T/d2/y"
  install -m 755 "$ROOT/hpc-changelog/src/test/python/fake_mmapplypolicy.py" "$bin/mmapplypolicy"
  W=$base/backend
  printf '#!/bin/sh\nPATH=%s:$PATH\nexport PATH\n[ ! -e %s/fail ] || { FAKE_MMAPPLYPOLICY_FAIL=3; export FAKE_MMAPPLYPOLICY_FAIL; }\nexec %s "$@"\n' \
    "$bin" "$base" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$W"
  local ps="podheitor-hpc:path=$T;mode=gpfs;backend=$W"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  sleep 1.1   # the Incremental's since is the Full's start (1 s resolution): changes after it
  printf 'n\n' > "$T/d1/new file"; printf 'more\n' >> "$T/a"; chmod 600 "$T/b"; rm -f -- "$T/old"
  mv -- "$T/with space" "$T/renamed  with space"; mv -- "$T/d2" "$T/d2 moved"; mkdir -- "$T/d3"
  printf 'x3\n' > "$T/d3/x"; printf 'odd\n' > "$T/odd$(printf '\377\376')"
  out=$SCRATCH/$n.incr
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "policy-scan Incremental" "$out"; return 0; fi
  ij=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "Incremental $ij: JobStatus=$st"; return 0; }
  log=$(H joblog "$ij")
  grep -q "gpfs: policy scan of changes since" <<< "$log" && ! grep -q "walks the tree" <<< "$log" \
    || { fail $n "Incremental $ij did not use the policy scan: $(grep -m3 -i -e gpfs -e policy -e walk <<< "$log" | tr '\n' ' ')"; return 0; }
  note "$(grep -m1 -i 'gpfs' <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-200)"
  del=$(cl_names "$ij" deleted | LC_ALL=C sort)
  local want
  want=$(printf '%s\n' "$T/d2/" "$T/d2/deep/" "$T/d2/deep/x" "$T/d2/y" "$T/old" "$T/with space" | LC_ALL=C sort)
  [ "$del" = "$want" ] || { note "deleted: $(tr '\n' '|' <<< "$del")"; fail $n "Incremental $ij recorded other deletions than the removed entries"; return 0; }
  cl_names "$ij" saved | grep -qxF "$T/d2 moved/deep/x" || { fail $n "Incremental $ij did not save the renamed directory's contents"; return 0; }
  R=$(scratch "$n.restore")
  out=$SCRATCH/$n.restore-job
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore of Full + Incremental" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify" 2>&1; then
    cat "$SCRATCH/$n.verify" >&2; fail $n "restore of Full $fj + Incremental $ij differs from the live tree"; return 0
  fi
  # the policy scan fails: one warning, a walk, the latest state still exact
  touch "$base/fail"
  sleep 1.1
  printf 'later\n' > "$T/later"; rm -f -- "$T/b"
  out=$SCRATCH/$n.incr2
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then rm -f "$base/fail"; fail_job $n "Incremental with a failing scan" "$out"; return 0; fi
  rm -f "$base/fail"
  local i2
  i2=$(field JobId "$out")
  log=$(H joblog "$i2")
  grep -q "gpfs: .*the job walks the tree" <<< "$log" \
    || { fail $n "Incremental $i2 with a failing policy scan: no warning about the walk: $(grep -m3 -i -e gpfs -e policy -e walk <<< "$log" | tr '\n' ' ')"; return 0; }
  R=$(scratch "$n.restore2")
  out=$SCRATCH/$n.restore-job2
  if ! hrun "$out" restore-latest "$jname" "$R"; then fail_job $n "restore after the walked Incremental" "$out"; return 0; fi
  if ! H verify "$T" "$R" > "$SCRATCH/$n.verify2" 2>&1; then
    cat "$SCRATCH/$n.verify2" >&2; fail $n "restore of the latest state after the failing scan differs from the live tree"; return 0
  fi
  pass "$n (Full $fj; policy-scan Incremental $ij: 6 deletions exact, renamed directory saved whole, latest == live; a failing scan: Incremental $i2 warned and walked, latest == live)"
}
