# shellcheck shell=bash
# Parallel reads of striped files and restripe-on-restore (docs/stripe.md), mode=lustre on a local tree made a
# "Lustre" by hpc-lustre's fake liblustreapi.so (src/test/c: the real signatures; layouts in user.lustre_fake.lov),
# loaded by the backend through PHPC_LIBLUSTREAPI.
#   100 Full with mode=lustre of a 4-stripe file, a PFL file with a pool, a sparse 2-stripe file, a small
#       4-stripe file, a one-stripe file and a hard link: the job log says the three large ones were read in
#       parallel. A restore into a "Lustre" directory recreates each layout (count, size, pool, PFL extents; no OST
#       pinned) before the data, the data exact, the sparse file's holes kept, the hard link one inode; a
#       bconsole restore of one file alone recreates its layout too; a restore into a directory that is not
#       Lustre is exact with exactly one warning. The restores that recreate layouts run on a second bacula-fd
#       started with PHPC_LIBLUSTREAPI in its environment (as a site's bacula-fd finds the real library): a
#       restore never runs the backup's backend= wrapper. A restore by the first bacula-fd, which has no
#       library, is exact with one warning. (xattrsupport=no: the fake keeps layouts in a user xattr, which a
#       restored metadata blob would otherwise overwrite after the create.)

# the fake's layout text of FILE (empty when it has none)
st_lov() { getfattr --only-values -n user.lustre_fake.lov -- "$1" 2>/dev/null || true; }

# every regular file under SRC equal (bytes) to the one under DST, and the same names
st_same_files() { # src dst
  local s=$1 d=$2 f rel
  [ "$(cd "$s" && find . | LC_ALL=C sort)" = "$(cd "$d" && find . | LC_ALL=C sort)" ] || { note "names differ"; return 1; }
  while IFS= read -r -d '' f; do
    rel=${f#"$s"/}
    cmp -s -- "$f" "$d/$rel" || { note "differs: $rel"; return 1; }
  done < <(find "$s" -type f -print0)
}

test_100_stripe() {
  st_body
  H down2 >&2 || true
}

st_body() {
  local n=stripe base L T W lib out fj log R R2 R3 R4 got want rj warns
  require_plugin $n || return 0
  command -v getfattr > /dev/null || { fail $n "getfattr (package attr) is missing"; return 0; }
  base=$(trusted_dir "$n")
  if ! make -s -C "$ROOT/hpc-lustre/src/test/c" O="$base/build" > "$SCRATCH/$n.make" 2>&1; then
    cat "$SCRATCH/$n.make" >&2; fail $n "building the fake liblustreapi failed"; return 0
  fi
  lib=$base/build/liblustreapi.so
  L=$base/lfs; T=$L/proj
  mkdir -p -- "$T/small"
  setfattr -n user.lustre_fake.fsname -v testfs "$L" && setfattr -n user.lustre_fake.osts -v 0-7 "$L" \
    || { fail $n "cannot set user xattrs on $L"; return 0; }
  head -c $((20 * 1048576 + 4321)) /dev/urandom > "$T/striped"
  setfattr -n user.lustre_fake.lov -v "count=4 size=1048576 ost=6,1,3,0" "$T/striped"
  head -c $((18 * 1048576)) /dev/urandom > "$T/pfl"
  setfattr -n user.lustre_fake.lov \
    -v "extent=0-4194304 count=1 size=1048576 ost=2;extent=4194304-EOF count=4 size=2097152 pool=flash ost=0,1,2,3" "$T/pfl"
  truncate -s 32M "$T/sparse"
  head -c 300000 /dev/urandom | dd of="$T/sparse" bs=1M seek=5 conv=notrunc status=none
  head -c 4096 /dev/urandom | dd of="$T/sparse" bs=4096 seek=$((32 * 256 - 1)) conv=notrunc status=none
  setfattr -n user.lustre_fake.lov -v "count=2 size=1048576 pool=archive ost=4,5" "$T/sparse"
  head -c 200000 /dev/urandom > "$T/small4"
  setfattr -n user.lustre_fake.lov -v "count=4 size=1048576 ost=0,1,2,3" "$T/small4"
  head -c 3000000 /dev/urandom > "$T/one"
  setfattr -n user.lustre_fake.lov -v "count=1 size=1048576 ost=7" "$T/one"
  ln -- "$T/striped" "$T/small/link to striped"
  for i in 1 2 3; do printf 'small %s\n' "$i" > "$T/small/f$i"; done
  W=$base/backend
  printf '#!/bin/sh\nPHPC_LIBLUSTREAPI=%s\nexport PHPC_LIBLUSTREAPI\nexec %s "$@"\n' "$lib" "$ROOT/bin/podheitor-hpc-backend" > "$W"
  chmod 755 "$W"
  local ps="podheitor-hpc:path=$T;mode=lustre;backend=$W;stripe_min=16;xattrsupport=no"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out")
  log=$(H joblog "$fj")
  grep -q "3 large file(s) read in parallel" <<< "$log" \
    || { fail $n "Full $fj: the job log does not say the 3 large files were read in parallel: $(grep -m2 -i -e parallel -e stripe <<< "$log" | tr '\n' ' ')"; return 0; }
  note "$(grep -m1 'read in parallel' <<< "$log" | sed 's/^.*JobId [0-9]*: //' | cut -c1-200)"
  if grep -i -E 'warning|error' <<< "$log" | grep -i 'podheitor' | grep -q .; then
    fail $n "Full $fj has plugin warnings or errors: $(grep -i -E 'warning|error' <<< "$log" | grep -m2 -i podheitor | tr '\n' ' ')"; return 0
  fi
  H up2 --env "PHPC_LIBLUSTREAPI=$lib" >&2 || { fail $n "could not start the second bacula-fd"; return 0; }
  # 1. everything into a "Lustre" directory: the layouts recreated, OSTs left to the MDS
  R=$(scratch "$n.lustre"); setfattr -n user.lustre_fake.fsname -v restfs "$R"; setfattr -n user.lustre_fake.osts -v 0-15 "$R"
  out=$SCRATCH/$n.restore
  if ! hrun "$out" restore "$fj" "$R" restoreclient=phpc-fd2; then fail_job $n "restore into Lustre" "$out"; return 0; fi
  st_same_files "$T" "$R$T" || { fail $n "restore of Full $fj into a Lustre directory differs from the tree"; return 0; }
  for want in "striped|count=4 size=1048576 init=yes" \
      "pfl|extent=0-4194304 count=1 size=1048576 init=yes;extent=4194304-EOF count=4 size=2097152 pool=flash init=no" \
      "sparse|count=2 size=1048576 pool=archive init=yes" "small4|count=4 size=1048576 init=yes" "one|"; do
    got=$(st_lov "$R$T/${want%%|*}")
    [ "$got" = "${want#*|}" ] || { fail $n "restored ${want%%|*}: layout '$got', expected '${want#*|}'"; return 0; }
  done
  [ "$(stat -c %i "$R$T/striped")" = "$(stat -c %i "$R$T/small/link to striped")" ] \
    || { fail $n "the hard link to the striped file was not restored as a link"; return 0; }
  [ "$(stat -c %b "$R$T/sparse")" -lt $((32 * 2048 / 4)) ] \
    || { fail $n "the sparse file was restored dense ($(stat -c %b "$R$T/sparse") blocks)"; return 0; }
  # 2. one file alone (a bconsole selection): its layout travels with its data
  R2=$(scratch "$n.one"); setfattr -n user.lustre_fake.fsname -v restfs "$R2"
  out=$SCRATCH/$n.restore-one
  if ! printf 'cd %s\nmark pfl\n' "$T" | hrun "$out" restore-select "$fj" "$R2" restoreclient=phpc-fd2; then fail_job $n "restore of pfl alone" "$out"; return 0; fi
  cmp -s -- "$T/pfl" "$R2$T/pfl" || { fail $n "pfl restored alone differs"; return 0; }
  [ ! -e "$R2$T/striped" ] || { fail $n "the selection restored more than pfl"; return 0; }
  got=$(st_lov "$R2$T/pfl")
  [ "$got" = "extent=0-4194304 count=1 size=1048576 init=yes;extent=4194304-EOF count=4 size=2097152 pool=flash init=no" ] \
    || { fail $n "pfl restored alone: layout '$got'"; return 0; }
  # 3. a target that is not Lustre: exact, one warning for the job
  R3=$(scratch "$n.plain")
  out=$SCRATCH/$n.restore-plain
  if ! hrun "$out" restore "$fj" "$R3" restoreclient=phpc-fd2; then fail_job $n "restore into a plain directory" "$out"; return 0; fi
  st_same_files "$T" "$R3$T" || { fail $n "restore of Full $fj into a plain directory differs from the tree"; return 0; }
  rj=$(field JobId "$out")
  warns=$(H joblog "$rj" | grep -c "restored with the target's default layout: the target is not Lustre" || true)
  [ "$warns" = 1 ] || { fail $n "restore $rj into a plain directory: $warns layout warnings, expected exactly 1"; return 0; }
  [ -z "$(st_lov "$R3$T/striped")" ] || { fail $n "a layout appeared outside Lustre"; return 0; }
  # 4. the first bacula-fd has no liblustreapi: into a "Lustre" directory, exact, one warning
  R4=$(scratch "$n.nolib"); setfattr -n user.lustre_fake.fsname -v restfs "$R4"
  out=$SCRATCH/$n.restore-nolib
  if ! hrun "$out" restore "$fj" "$R4"; then fail_job $n "restore without the library" "$out"; return 0; fi
  st_same_files "$T" "$R4$T" || { fail $n "restore without the library differs from the tree"; return 0; }
  rj=$(field JobId "$out")
  warns=$(H joblog "$rj" | grep -c "restored with the target's default layout: liblustreapi is not loaded" || true)
  [ "$warns" = 1 ] || { fail $n "restore $rj without the library: $warns layout warnings, expected exactly 1"; return 0; }
  [ -z "$(st_lov "$R4$T/striped")" ] || { fail $n "a layout appeared without the library"; return 0; }
  pass "$n (Full $fj: 3 files read in parallel; layouts recreated by a full and a one-file restore; plain target and no library: exact, one warning each)"
}
