#!/usr/bin/env bash
# latencyfs integration test (part of scripts/test.sh; ~30 s): builds latencyfs, mounts it (synthetic and
# passthrough), walks it with `podheitor-hpc walk`, compares with find, reads data; checks the synthetic tree
# against checksums taken from the previous (high-level API) implementation, the passthrough's metadata, xattrs,
# hard links, odd names, large directories and readdir offsets against the source (also with no fd budget),
# the delay with concurrent stats and the --threads cap, the inode table after repeated walks (and after
# dropping the kernel's inode cache if LATENCYFS_TEST_DROP_CACHES=1: a global cache drop, off by default);
# the writable mode (--rw): every operation lands in the backing directory with the right mode, owner, times,
# xattrs and content, as the calling user, hard links, sparse files, odd and 255-byte names, rename flags, errors
# (EEXIST, ENOENT, ENOTEMPTY, EXDEV across a tmpfs inside the backing dir, ...), names and directories replaced by
# symlinks behind its back (nothing lands outside the backing dir, also with no fd budget), the delay of each kind
# of request, no caching, parallel writers, clean unmount on signals and when the daemon dies, and a real restore
# (cp -a, tar -x with xattrs, ACLs, hard links, devices) through scripts/with-latencyfs.sh --rw-target compared
# with scripts/verify.py; the per-OST read bandwidth (--ost-bw=20): one sequential reader of a 4-stripe file paced
# by one OST, 4 parallel readers on their own stripes >= 2.5x faster, PFL, malformed and missing layouts (data
# compared with the source, bytes per OST from --stats), the default layout from the root's xattrs in --rw;
# unmounts and checks that nothing stays mounted. Needs root and /dev/fuse (without them: a failure, not a skip).
# A check that does not run here prints "SKIP what: why" (counted as skipped, never as passed).
# Last line: "N passed, N failed, N skipped".
# env: LATENCYFS_TEST_BASE=/tmp/podheitor-hpc-latencyfs-test (the mount points' parent: root's own directory,
#      which must hold nothing else: the test checks that it is empty at the end; a private one lets two runs
#      go at the same time), LATENCYFS_TEST_DROP_CACHES=1 (see above), TMPDIR (where the source trees and
#      backing directories go, default /tmp), LATENCYFS_BIN=PATH (the binary to test, e.g.
#      latencyfs/build/latencyfs-asan from `make -C latencyfs asan`; default: latencyfs/build/latencyfs, built here),
#      LATENCYFS_TEST_SANITIZER_LOG=DIR (sets ASAN_OPTIONS/UBSAN_OPTIONS to log there and checks at the end
#      that DIR holds no report; for the asan binary)
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PHPC_PROG=latencyfs-test
# shellcheck source=../../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
P=0 F=0 S=0
SKIPS=()
ok() { P=$((P + 1)); echo "ok   $*"; }
bad() { F=$((F + 1)); echo "FAIL $*"; }
skip() { S=$((S + 1)); SKIPS+=("$1: $2"); echo "SKIP $1: $2"; }   # what why
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
  echo "latencyfs: /dev/fuse or fusermount3 missing"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
if [ -n "${LATENCYFS_BIN:-}" ]; then
  [ -x "$LATENCYFS_BIN" ] || { echo "latencyfs: LATENCYFS_BIN=$LATENCYFS_BIN is not executable"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  LATENCYFS_BIN=$(cd "$(dirname "$LATENCYFS_BIN")" && pwd)/$(basename "$LATENCYFS_BIN")
  export LATENCYFS_BIN   # scripts/with-latencyfs.sh uses it too
else
  make -s -C "$ROOT/latencyfs" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi
SANLOG=${LATENCYFS_TEST_SANITIZER_LOG:-}
if [ -n "$SANLOG" ]; then
  mkdir -p "$SANLOG"
  export ASAN_OPTIONS="log_path=$SANLOG/asan:detect_leaks=1" UBSAN_OPTIONS="log_path=$SANLOG/ubsan:print_stacktrace=1"
fi
export LATENCYFS_BASE=${LATENCYFS_TEST_BASE:-/tmp/podheitor-hpc-latencyfs-test}
ensure_state_dir "$LATENCYFS_BASE"   # root mounts below it: root's own directory, or refused
W=$ROOT/scripts/with-latencyfs.sh

# synthetic: 2000 files, 100 per directory -> 20 directories (root included) -> 2020 entries
out=$("$W" --delay-us=50 --synthetic=2000 -- sh -c \
  '"$1" walk --threads 16 "$LATENCYFS_MNT" | sed -n "s/^entries: *//p"; find "$LATENCYFS_MNT" | wc -l;
   stat -c %s "$LATENCYFS_MNT/d1/f5"; head -c 100000000 "$LATENCYFS_MNT/d1/f5" | wc -c;
   findmnt -n -o FSTYPE "$LATENCYFS_MNT"' _ "$ROOT/bin/podheitor-hpc" 2>&1) || true
set -- $out
check "synthetic: walker counts 2020 entries (got ${1:-none})" [ "${1:-}" = 2020 ]
check "synthetic: find counts 2020 entries (got ${2:-none})" [ "${2:-}" = 2020 ]
check "synthetic: a file reads exactly its size (${3:-?} = ${4:-?})" [ -n "${3:-}" -a "${3:-}" = "${4:-}" ]
check "synthetic: type fuse.latencyfs (got ${5:-none})" [ "${5:-}" = fuse.latencyfs ]

# passthrough of a small real tree
tmp=${TMPDIR:-/tmp}
src=$(mktemp -d "$tmp/podheitor-hpc-lfs-src.XXXXXX")
src2=$(mktemp -d "$tmp/podheitor-hpc-lfs-src2.XXXXXX")
work=$(mktemp -d "$tmp/podheitor-hpc-lfs-work.XXXXXX")
BIN=${LATENCYFS_BIN:-$ROOT/latencyfs/build/latencyfs}
M='' FG_PID=''
# fg_mount LOG LATENCYFS-ARGS...: latencyfs -f started here (so its pid is known) on a fresh mount point $M;
# FG_NOFILE=N fg_mount ...: with RLIMIT_NOFILE N (64 is below the fd reserve: no directory holds an fd)
fg_mount() {
  local log=$1; shift
  ensure_state_dir "$LATENCYFS_BASE"
  M=$(mktemp -d "$LATENCYFS_BASE/fg.XXXXXX")
  # env --default-signal: a background job of a non-interactive shell starts with SIGINT ignored, and under nohup
  # with SIGHUP ignored too; libfuse leaves an ignored signal ignored, so the signal tests below would hang
  ( if [ -n "${FG_NOFILE:-}" ]; then ulimit -n "$FG_NOFILE"; fi
    exec env --default-signal=HUP,INT,TERM "$BIN" -f "$@" "$M" 2>"$log" ) &
  FG_PID=$!
  for _ in $(seq 100); do findmnt -n "$M" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}
fg_umount() {
  [ -n "$M" ] || return 0
  fusermount3 -u "$M" 2>/dev/null || umount -l "$M" 2>/dev/null || true
  [ -z "$FG_PID" ] || wait "$FG_PID" 2>/dev/null || true
  rmdir "$M" 2>/dev/null || true
  M='' FG_PID=''
}
XMNT=''   # a tmpfs mounted inside a backing directory (the EXDEV test), unmounted before $work goes
trap 'fg_umount; [ -z "$XMNT" ] || umount "$XMNT" 2>/dev/null || umount -l "$XMNT" 2>/dev/null || true; rm -rf "$src" "$src2" "$work"' EXIT
mkdir -p "$src/a/b"; echo hello > "$src/a/f"; ln -s f "$src/a/l"; : > "$src/a/b/e"
out=$("$W" --delay-us=50 --source "$src" -- sh -c \
  '"$1" walk "$LATENCYFS_MNT" | sed -n "s/^entries: *//p"; cat "$LATENCYFS_MNT/a/f"; readlink "$LATENCYFS_MNT/a/l"' \
  _ "$ROOT/bin/podheitor-hpc" 2>&1) || true
set -- $out
check "passthrough: walker counts 6 entries (got ${1:-none})" [ "${1:-}" = 6 ]
check "passthrough: content and symlink target" [ "${2:-}" = hello -a "${3:-}" = f ]


# synthetic metadata identical to the previous implementation (checksums taken from it)
synsum() { # latencyfs args...: sha256 of the find listing, of `ls -f -i d1`, and statfs fields
  fg_mount "$work/syn.log" --delay-us=0 "$@" || { echo mount-failed; return; }
  (cd "$M" && find . -printf '%i %s %m %n %U %G %b %T@ %A@ %C@ %y %p\n' | sha256sum | cut -c1-16;
   ls -f -i d1 | sha256sum | cut -c1-16; stat -f -c '%b %c %l %s' .) | tr '\n' ' '
  fg_umount
}
got=$(synsum --synthetic=2345 --files-per-dir=7 --dir-fanout=3)
check "synthetic: 2345/7/3 tree as before ($got)" [ "$got" = "45c442186801cf78 e7f7a84815a0d94b 4946 2680 255 4096 " ]
got=$(synsum --synthetic=2000)
check "synthetic: 2000 default tree as before ($got)" [ "$got" = "36bc81a177b5dfa0 4656f9d47d660d8d 4256 2020 255 4096 " ]

# passthrough of a tree with the risky parts: hard links, xattrs, odd names, special files, a big directory
mkdir -p "$src2/h/sub" "$src2/odd" "$src2/big" "$src2/deep/a/b/c/d"
echo one > "$src2/h/one"; ln "$src2/h/one" "$src2/h/sub/two"; ln "$src2/h/one" "$src2/h/three"
echo deep > "$src2/deep/a/b/c/d/f"
ln -s "$(printf 'tar\377get')" "$src2/odd/sym"; ln -s ../h/one "$src2/odd/rel"
: > "$src2/odd/$(printf 'n\377m')"; : > "$src2/odd/$(printf 'new\nline')"; : > "$src2/odd/ lead"
mkdir "$src2/odd/$(printf 'dir\376')"; : > "$src2/odd/$(printf 'dir\376')/inside"
mkfifo "$src2/odd/fifo"; mknod "$src2/odd/null" c 1 3 2>/dev/null || true
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$src2/odd/sock" 2>/dev/null || true
python3 -c 'import os, sys
for i in range(2500): open(os.path.join(sys.argv[1], "file-with-a-longer-name-%05d" % i), "w").close()' "$src2/big"
setfattr -n user.k -v value "$src2/h/one"; setfattr -n user.d -v "$(head -c 3000 /dev/zero | tr '\0' x)" "$src2/h"
setfattr -h -n trusted.s -v symlink "$src2/odd/rel" 2>/dev/null || true
touch -h -d '2021-02-03 04:05:06.123456789' "$src2/odd/rel" "$src2/h/one"
entries=$(find "$src2" -printf x | wc -c)
listing() { (cd "$1" && find . -printf '%i %s %m %n %U %G %b %T@ %C@ %y %l %P\0'; stat -f -c '%b %S %l' .) }
xattrs() { (cd "$1" && getfattr -R -h -d -m - . 2>&1) }
perl_seek='opendir(D, $ARGV[0]) or die; my @a; for (1..1000) { push @a, scalar readdir(D) } my $pos = telldir(D);
  my @b; while (defined(my $e = readdir(D))) { push @b, $e } seekdir(D, $pos);
  my @c; while (defined(my $e = readdir(D))) { push @c, $e } rewinddir(D);
  my @all; while (defined(my $e = readdir(D))) { push @all, $e }
  print((join("/", @b) eq join("/", @c) && @all == @a + @b) ? "ok" : "bad", " ", scalar(@all), "\n");'
listing "$src2" > "$work/src.list"; xattrs "$src2" > "$work/src.xattr"
passthrough_checks() { # label: compares the mount $M with $src2
  local l=$1
  listing "$M" > "$work/mnt.list"; xattrs "$M" > "$work/mnt.xattr"
  check "$l: metadata of every entry (ino, size, mode, nlink, owner, times, type, target, raw name) and statfs" \
    cmp -s "$work/src.list" "$work/mnt.list"
  check "$l: xattrs (user.* on file and directory, trusted.* on a symlink)" cmp -s "$work/src.xattr" "$work/mnt.xattr"
  check "$l: xattrs are there at all" grep -q 'user.k="value"' "$work/mnt.xattr"
  local a b c
  a=$(stat -c '%i %h' "$M/h/one") b=$(stat -c '%i %h' "$M/h/sub/two") c=$(stat -c '%i %h' "$src2/h/three")
  check "$l: hard links share the inode ($a / $b / source $c)" [ "$a" = "$b" -a "$a" = "$c" ]
  check "$l: non-UTF-8 symlink target byte for byte" [ "$(readlink "$M/odd/sym" | od -An -tx1)" = "$(readlink "$src2/odd/sym" | od -An -tx1)" ]
  check "$l: file content" cmp -s "$M/h/sub/two" "$src2/h/one"
  check "$l: content through a deep fd-less path" [ "$(cat "$M/deep/a/b/c/d/f")" = deep ]
  check "$l: big directory lists 2500 names" [ "$(ls -A "$M/big" | wc -l)" = 2500 ]
  check "$l: big directory listed in the source's order" [ "$(ls -f "$M/big" | md5sum)" = "$(ls -f "$src2/big" | md5sum)" ]
  local s; s=$(perl -e "$perl_seek" "$M/big")
  check "$l: readdir offsets survive telldir/seekdir/rewinddir ($s)" [ "$s" = "ok 2502" ]
}
fg_mount "$work/pt.log" --delay-us=20 --stats "$src2" && passthrough_checks passthrough || bad "passthrough mount"
# repeated walks must not grow the inode table; optionally drop the kernel's inodes (FORGETs) and walk again
for _ in 1 2; do find "$M" -printf '%s %T@\n' >/dev/null; done
dropped=0
if [ "${LATENCYFS_TEST_DROP_CACHES:-0}" = 1 ]; then
  echo 2 > /proc/sys/vm/drop_caches; sleep 0.5; dropped=1
  find "$M" -printf '%s %T@\n' >/dev/null
fi
fg_umount
stats=$(grep 'nodes live' "$work/pt.log" || true)
read -r live _ created freed <<<"$(echo "$stats" | sed -E 's/.*live ([0-9]+).*peak ([0-9]+), created ([0-9]+), freed ([0-9]+).*/\1 \2 \3 \4/')"
check "inode table after 2 walks: live ${live:-?} <= $entries entries ($stats)" [ -n "$live" ] && [ "$live" -le "$entries" ]
check "inode table: created - freed = live" [ -n "$live" ] && [ $((created - freed)) = "$live" ]
if [ "$dropped" = 1 ]; then
  check "inode table: forgets after drop_caches freed nodes (freed $freed)" [ "${freed:-0}" -ge $((entries / 2)) ]
else
  skip "inode table: forgets after drop_caches free nodes" \
    "LATENCYFS_TEST_DROP_CACHES is not 1 (it drops the whole machine's caches, so it is off by default)"
fi
# no fd budget (RLIMIT_NOFILE 64 < the reserve): every directory is reached by name from the root
FG_NOFILE=64 fg_mount "$work/nofd.log" --delay-us=0 --stats "$src2" && passthrough_checks "no fd budget" || bad "no fd budget mount"
fg_umount
check "no fd budget: no directory fd was held ($(grep -o 'directory fds.*' "$work/nofd.log"))" grep -q 'directory fds 0 (budget 0)' "$work/nofd.log"

# the delay: concurrent stats each pay it, in parallel; --threads=1 serializes them
stat_par() { # conc n: "min_ms wall_ms" of n os.stat per thread, conc threads
  python3 - "$M" "$1" "$2" <<'PY'
import os, sys, threading, time
mnt, conc, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = os.open(mnt, os.O_RDONLY | os.O_DIRECTORY); lat = []
def run():
    for _ in range(n):
        a = time.perf_counter(); os.stat("f5", dir_fd=d, follow_symlinks=False); lat.append(time.perf_counter() - a)
th = [threading.Thread(target=run) for _ in range(conc)]
t0 = time.perf_counter(); [t.start() for t in th]; [t.join() for t in th]
print("%d %d" % (min(lat) * 1000, (time.perf_counter() - t0) * 1000))
PY
}
fg_mount "$work/d.log" --delay-us=2000 --synthetic=100 || bad "delay mount"
read -r mn wall <<<"$(stat_par 8 10)"
fg_umount
check "8 concurrent stat loops: each stat >= 2 delays (min ${mn:-?} ms >= 4)" [ "${mn:-0}" -ge 4 ]
check "8 concurrent stat loops run in parallel (wall ${wall:-?} ms < 240, serial would be >= 320)" [ "${wall:-9999}" -lt 240 ]
fg_mount "$work/d1.log" --delay-us=2000 --threads=1 --synthetic=100 || bad "delay mount --threads=1"
read -r mn wall <<<"$(stat_par 8 10)"
fg_umount
check "--threads=1: one request in its delay at a time (wall ${wall:-?} ms >= 320)" [ "${wall:-0}" -ge 320 ]

# ------------------------------------------------------------------ per-OST read bandwidth (--ost-bw)
# layouts from the fake liblustreapi's xattrs; 20 MB/s per OST; rates in MB/s (10^6 bytes/s)
BW=20
osrc=$work/ost-src
mkdir "$osrc"
head -c $((64 << 20)) /dev/urandom > "$osrc/f4"          # 4 stripes of 1 MiB on OSTs 0-3
setfattr -n user.lustre_fake.lov -v "count=4 size=1048576 ost=0,1,2,3" "$osrc/f4"
head -c $((8 << 20)) /dev/urandom > "$osrc/plain"         # no layout: the default, count=1 (no root xattrs here)
head -c $((14 << 20)) /dev/urandom > "$osrc/pfl"          # PFL: DoM 1 MiB, 1 stripe on OST 7 to 4 MiB, then 2 x 2 MiB
setfattr -n user.lustre_fake.lov \
  -v "extent=0-1048576 pattern=mdt;extent=1048576-4194304 count=1 size=1048576 ost=7 pool=flash;extent=4194304-EOF count=2 size=2097152 ost=4,5 init=no" \
  "$osrc/pfl"
malformed=("count=4 size=abc ost=0,1,2,3" "extent=5-3 count=2" "count=2 ost=1,99999" "count=0" "count=3 ost=0,1"
  "extent=0-1048576 count=1;extent=2097152-EOF count=2" "$(printf 'count=\001\002;;;=')" "count=99999999999999999999999"
  "count=2 pattern=mirror")
for i in "${!malformed[@]}"; do
  head -c $((1 << 20)) /dev/urandom > "$osrc/bad$i"; setfattr -n user.lustre_fake.lov -v "${malformed[$i]}" "$osrc/bad$i"
done
# par_read FILE N: N threads, reader k reads the stripe-size (1 MiB) chunks k, k+N, ... (with 4 stripes on OSTs 0-3:
# its own OST) with os.pread and compares them with the source; prints "same|differ SECONDS MB/s"
par_read() {
  python3 - "$M/$1" "$osrc/$1" "$2" <<'PY'
import os, sys, threading, time
path, src, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), 1 << 20
length = os.stat(src).st_size
bad = []
def pread_all(fd, off):
    out = b""
    while len(out) < size:
        b = os.pread(fd, size - len(out), off + len(out))
        if not b: break
        out += b
    return out
# all open before the clock starts: an open (no keep_cache) drops the file's cached pages, also those other
# readers are reading
fds = [(os.open(path, os.O_RDONLY), os.open(src, os.O_RDONLY)) for _ in range(n)]
def reader(k):
    fd, sfd = fds[k]
    for i in range(k, (length + size - 1) // size, n):
        if pread_all(fd, i * size) != pread_all(sfd, i * size): bad.append(i)
th = [threading.Thread(target=reader, args=(k,)) for k in range(n)]
t0 = time.perf_counter(); [t.start() for t in th]; [t.join() for t in th]
dt = time.perf_counter() - t0
print("%s %.3f %.1f" % ("differ" if bad else "same", dt, length / dt / 1e6))
PY
}
within() { python3 -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(0 if lo <= v <= hi else 1)' "$@"; }
ost_st=''
ostb() { local v; v=$(echo "$ost_st" | grep -o " $1=[0-9]*" | cut -d= -f2); echo "${v:-0}"; }   # OSTxxxx or MDT: bytes read (--stats)
if fg_mount "$work/ost.log" --delay-us=0 --ost-bw=$BW --stats "$osrc"; then
  # (a) one sequential reader: dd bs=1M, its output compared with the source on the fly
  t0=$(date +%s%N)
  seq_ok=no; dd if="$M/f4" bs=1M status=none | cmp -s - "$osrc/f4" && seq_ok=yes
  t1=$(date +%s%N)
  seq_s=$(python3 -c "print('%.3f' % (($t1 - $t0) / 1e9))"); seq_rate=$(python3 -c "print('%.1f' % ((64 << 20) / $seq_s / 1e6))")
  # (b) 4 concurrent readers, each on its own stripes (= its own OST)
  read -r par_same par_s par_rate <<<"$(par_read f4 4)"
  # (c) a file without a layout: one OST, however many readers
  read -r plain_same _ plain_rate <<<"$(par_read plain 4)"
  pfl_ok=no; cmp -s "$M/pfl" "$osrc/pfl" && pfl_ok=yes
  bad_ok=0; for i in "${!malformed[@]}"; do cmp -s "$M/bad$i" "$osrc/bad$i" && bad_ok=$((bad_ok + 1)); done
  read -r bad_same _ bad_rate <<<"$(par_read bad0 4)"
  fg_umount
  echo "    --ost-bw=$BW: sequential dd bs=1M of 64 MiB on 4 stripes: $seq_s s, $seq_rate MB/s; 4 parallel readers: ${par_s:-?} s, ${par_rate:-?} MB/s"
  check "ost-bw: one sequential reader (dd bs=1M | cmp) reads the 4-stripe file back identical" [ "$seq_ok" = yes ]
  check "ost-bw: one sequential reader is paced by one OST at a time ($seq_rate MB/s within [0.7, 1.3] x $BW)" \
    within "$seq_rate" $((BW * 7 / 10)) $((BW * 13 / 10))
  check "ost-bw: 4 parallel readers, each on its own stripes, read back identical (${par_same:-?})" [ "${par_same:-}" = same ]
  check "ost-bw: 4 parallel readers on 4 OSTs >= 2.5x faster than one sequential reader (${par_s:-?} s vs $seq_s s)" \
    within "$(python3 -c "print($seq_s / ${par_s:-1e9})")" 2.5 1e9
  check "ost-bw: 4 parallel readers still bounded by 4 OSTs (${par_rate:-?} MB/s <= 4 x 1.1 x $BW)" \
    within "${par_rate:-1e9}" 0 $((BW * 44 / 10))
  check "ost-bw: a file without a layout: 4 parallel readers read it back identical (${plain_same:-?})" [ "${plain_same:-}" = same ]
  check "ost-bw: a file without a layout is bounded by one OST (4 parallel readers: ${plain_rate:-?} MB/s <= 1.3 x $BW)" \
    within "${plain_rate:-1e9}" 0 $((BW * 13 / 10))
  check "ost-bw: a PFL layout (DoM, 1 stripe, 2 stripes of 2 MiB) reads back identical" [ "$pfl_ok" = yes ]
  check "ost-bw: ${#malformed[@]} malformed lov xattrs all read back identical ($bad_ok)" [ "$bad_ok" = "${#malformed[@]}" ]
  check "ost-bw: a malformed layout is one OST (4 parallel readers: ${bad_rate:-?} MB/s <= 1.3 x $BW, ${bad_same:-?})" \
    eval '[ "${bad_same:-}" = same ] && within "${bad_rate:-1e9}" 0 $((BW * 13 / 10))'
  ost_st=$(grep 'ost-bw' "$work/ost.log" || true)
  # whole-file sequential reads (cmp) read every byte once: the PFL file's OSTs 4, 5, 7 and the MDT are its own
  check "ost-bw --stats: PFL bytes per OST exact (OST0007=$(ostb OST0007) OST0004=$(ostb OST0004) OST0005=$(ostb OST0005) MDT=$(ostb MDT))" \
    [ "$(ostb OST0007)" = $((3 << 20)) -a "$(ostb OST0004)" = $((6 << 20)) -a "$(ostb OST0005)" = $((4 << 20)) -a "$(ostb MDT)" = $((1 << 20)) ]
  # f4 read twice: 32 MiB on each of OSTs 0-3 (plus what read-ahead fetched twice in the parallel run, < 1 MiB);
  # OST 0 also holds the 8 MiB plain file and the malformed ones (bad0 read twice)
  even=yes
  for k in 1 2 3; do within "$(ostb OST000$k)" $((32 << 20)) $((33 << 20)) || even=no; done
  within "$(ostb OST0000)" $(((32 + 8 + ${#malformed[@]} + 1) << 20)) $(((33 + 8 + ${#malformed[@]} + 1) << 20)) || even=no
  check "ost-bw --stats: the 4-stripe file spread evenly over OSTs 0-3, the plain and malformed files on OST 0 ($ost_st)" [ "$even" = yes ]
  check "ost-bw --stats: malformed layouts counted, one per open (${#malformed[@]} + 4 for bad0's parallel readers)" \
    grep -q "malformed layouts $((${#malformed[@]} + 4));" "$work/ost.log"
else
  bad "ost-bw: mount"
fi
fg_umount
# --rw: the mount's default layout from the root's xattrs, placed round robin from (inode % number of OSTs)
obk=$work/ost-rw
mkdir "$obk"
setfattr -n user.lustre_fake.stripe -v "count=2 size=1048576" "$obk"; setfattr -n user.lustre_fake.osts -v "8,9-10" "$obk"
head -c $((4 << 20)) /dev/urandom > "$obk/d"
if fg_mount "$work/ostrw.log" --rw --delay-us=0 --ost-bw=$BW --stats "$obk"; then
  rw_ok=no; cmp -s "$M/d" "$obk/d" && rw_ok=yes
  w_ok=no; cp "$obk/d" "$M/copy" && cmp -s "$M/copy" "$obk/d" && w_ok=yes
  fg_umount
  ino=$(stat -c %i "$obk/d") copy_ino=$(stat -c %i "$obk/copy")
  ost_st=$(grep 'ost-bw' "$work/ostrw.log" || true)
  declare -A want=([OST0008]=0 [OST0009]=0 [OST000a]=0)
  ids=(OST0008 OST0009 OST000a)
  for i2 in "$ino" "$copy_ino"; do for s in 0 1; do k=${ids[$(((i2 % 3 + s) % 3))]}; want[$k]=$((want[$k] + (2 << 20))); done; done
  got_rw="OST0008=$(ostb OST0008) OST0009=$(ostb OST0009) OST000a=$(ostb OST000a)"
  check "ost-bw --rw: reads back identical, and a file written through the mount too ($rw_ok, $w_ok)" [ "$rw_ok" = yes -a "$w_ok" = yes ]
  check "ost-bw --rw: no layout: count=2 from the root, OSTs 8,9,10 from inode % 3 ($got_rw; want OST0008=${want[OST0008]} OST0009=${want[OST0009]} OST000a=${want[OST000a]})" \
    [ "$(ostb OST0008)" = "${want[OST0008]}" -a "$(ostb OST0009)" = "${want[OST0009]}" -a "$(ostb OST000a)" = "${want[OST000a]}" ]
else
  bad "ost-bw --rw: mount"
fi
fg_umount
out=$("$BIN" -f --ost-bw=20 --synthetic=10 "$work" 2>&1) && rc=0 || rc=$?
check "ost-bw: refused with --synthetic, with a clear error (exit $rc: $out)" [ "$rc" != 0 -a "${out%not --synthetic}" != "$out" ]
out=$("$BIN" -f --ost-bw=fast "$osrc" "$work" 2>&1) && rc=0 || rc=$?
check "ost-bw: a bandwidth that is not a number is refused (exit $rc: $out)" [ "$rc" != 0 -a "${out#*needs a bandwidth}" != "$out" ]

# ------------------------------------------------------------------ writable mode (--rw)
fg_mount "$work/ro.log" --delay-us=0 "$src" || bad "read-only mount"
out=$(mkdir "$M/new" 2>&1) || true
check "read-only mount refuses mkdir with EROFS ($out)" [ "${out%Read-only file system}" != "$out" -a ! -e "$src/new" ]
fg_umount

bk=$work/rw
mkdir "$bk"
rwq() { python3 - "$@"; }   # python helpers below; each prints one line
st() { stat -c "$1" -- "$2" 2>&1 || true; }
fg_mount "$work/rw.log" --rw --delay-us=0 --stats -o allow_other "$bk" || bad "writable mount"
check "writable: mounted read-write, default_permissions, type fuse.latencyfs" \
  sh -c "findmnt -n -o FSTYPE,OPTIONS '$M' | grep -q '^fuse.latencyfs *rw,.*default_permissions'"
# create, mkdir, mknod, symlink, link, unlink, rmdir: what lands in the backing directory
(umask 027; mkdir "$M/d"; printf content > "$M/d/f") || true
check "mkdir: a directory in the backing dir with the caller's umask (750: $(st %a "$bk/d"))" [ "$(st %F:%a "$bk/d")" = directory:750 ]
check "create + write: content and umask'ed mode ($(st %a "$bk/d/f"))" [ "$(cat "$bk/d/f" 2>&1)" = content -a "$(st %a "$bk/d/f")" = 640 ]
(umask 0; mkfifo -m 0604 "$M/d/fifo") || true
check "mknod fifo ($(st %F:%a "$bk/d/fifo"))" [ "$(st %F:%a "$bk/d/fifo")" = fifo:604 ]
if mknod "$M/d/null" c 1 3 2>/dev/null && mknod "$M/d/loop" b 7 200 2>/dev/null; then
  check "mknod char and block devices as root ($(st '%F %t:%T' "$bk/d/null"), $(st '%F %t:%T' "$bk/d/loop"))" \
    [ "$(st '%F %t:%T' "$bk/d/null")" = "character special file 1:3" -a "$(st '%F %t:%T' "$bk/d/loop")" = "block special file 7:c8" ]
else
  skip "mknod char and block devices" "mknod refused on the mount (device cgroup?): $(mknod "$work/probe" c 1 3 2>&1; rm -f "$work/probe")"
fi
ln -s "$(printf 'tar\377get')" "$M/d/sym" || true
check "symlink: non-UTF-8 target byte for byte, in the backing dir and through the mount" \
  [ "$(readlink "$bk/d/sym" | od -An -tx1)" = "$(printf 'tar\377get\n' | od -An -tx1)" -a "$(readlink "$M/d/sym" | od -An -tx1)" = "$(printf 'tar\377get\n' | od -An -tx1)" ]
ln "$M/d/f" "$M/d/hl" || true
check "link: one inode in the backing dir, nlink 2 ($(st %i:%h "$bk/d/f") $(st %i:%h "$bk/d/hl"))" \
  [ "$(st %i:%h "$bk/d/f")" = "$(st %i:%h "$bk/d/hl")" -a "$(st %h "$bk/d/f")" = 2 ]
check "link: one inode through the mount" [ "$(st %i "$M/d/f")" = "$(st %i "$M/d/hl")" -a "$(st %i "$M/d/f")" = "$(st %i "$bk/d/f")" ]
rm "$M/d/f" || true
check "unlink of one name: the other keeps the data, nlink 1" [ ! -e "$bk/d/f" -a "$(cat "$M/d/hl" 2>&1)" = content -a "$(st %h "$bk/d/hl")" = 1 ]
mkdir "$M/d/e" && rmdir "$M/d/e" || true
check "rmdir" [ ! -e "$bk/d/e" ]
# setattr
{ printf 0123456789 > "$M/d/a"; chmod 4751 "$M/d/a"; chown 1234:5678 "$M/d/a"; chmod 4751 "$M/d/a"; } || true
check "chmod + chown ($(st %a:%u:%g "$bk/d/a"))" [ "$(st %a:%u:%g "$bk/d/a")" = 4751:1234:5678 ]
chown -h 4321:8765 "$M/d/sym" || true
check "chown -h of a symlink changes the link, not its target ($(st %u:%g "$bk/d/sym"))" [ "$(st %u:%g "$bk/d/sym")" = 4321:8765 ]
touch -h -d '2001-02-03 04:05:06.123456789' "$M/d/a" "$M/d/sym" || true
check "utimens with nanoseconds, on a file and a symlink ($(st %y "$bk/d/sym"))" \
  [ "$(st %Y.%y "$bk/d/a")" = "$(st %Y.%y "$bk/d/sym")" -a "$(st %y "$bk/d/a")" = "2001-02-03 04:05:06.123456789 +0000" ]
out=$(rwq "$M/d/a" <<'PY'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
class TS(ctypes.Structure): _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
p = sys.argv[1]
before = os.stat(p)
ts = (TS * 2)(TS(0, UTIME_OMIT), TS(1000000000, 5))
r1 = libc.utimensat(-100, p.encode(), ts, 0)
a = os.stat(p)
ts = (TS * 2)(TS(0, UTIME_NOW), TS(0, UTIME_OMIT))
t0 = time.time(); r2 = libc.utimensat(-100, p.encode(), ts, 0)
b = os.stat(p)
print(r1, r2, a.st_atime_ns == before.st_atime_ns, a.st_mtime_ns == 1000000000 * 10**9 + 5,
      abs(b.st_atime - t0) < 5, b.st_mtime_ns == a.st_mtime_ns)
PY
) || true
check "utimens UTIME_OMIT keeps, UTIME_NOW sets ($out)" [ "$out" = "0 0 True True True True" ]
truncate -s 4 "$M/d/a" && truncate -s 8192 "$M/d/a" || true
check "truncate shrinks and grows with zeros ($(st %s "$bk/d/a"))" [ "$(head -c 4 "$bk/d/a")" = 0123 -a "$(st %s "$bk/d/a")" = 8192 -a "$(tail -c 4 "$bk/d/a" | od -An -tx1 | tr -d ' ')" = 00000000 ]
out=$(rwq "$M/d/a" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR); os.ftruncate(fd, 3); os.fchmod(fd, 0o640); s = os.fstat(fd); os.close(fd)
print(s.st_size, oct(s.st_mode & 0o7777))
PY
) || true
check "ftruncate + fchmod through an open file ($out; backing $(st %s:%a "$bk/d/a"))" [ "$out" = "3 0o640" -a "$(st %s:%a "$bk/d/a")" = 3:640 ]
# xattrs and ACLs
setfattr -n user.k -v value "$M/d/a" && setfattr -n user.dir -v "$(head -c 3000 /dev/zero | tr '\0' x)" "$M/d" || true
setfattr -h -n trusted.s -v onlink "$M/d/sym" || true
check "setxattr lands in the backing dir (file, directory, trusted.* on a symlink)" \
  [ "$(getfattr --absolute-names --only-values -n user.k "$bk/d/a" 2>&1)" = value \
    -a "$(getfattr --absolute-names --only-values -n user.dir "$bk/d" 2>&1 | wc -c)" = 3000 \
    -a "$(getfattr --absolute-names -h --only-values -n trusted.s "$bk/d/sym" 2>&1)" = onlink ]
check "getxattr/listxattr through the mount match the backing dir" \
  [ "$(cd "$M/d" && getfattr -R -h -d -m - . 2>&1)" = "$(cd "$bk/d" && getfattr -R -h -d -m - . 2>&1)" ]
out=$(rwq "$M/d/a" <<'PY'
import errno, os, sys
p = sys.argv[1]
try: os.setxattr(p, "user.k", b"x", os.XATTR_CREATE); print("created")
except OSError as e: print(errno.errorcode[e.errno], end=" ")
try: os.setxattr(p, "user.none", b"x", os.XATTR_REPLACE); print("replaced")
except OSError as e: print(errno.errorcode[e.errno], end=" ")
os.removexattr(p, "user.k"); print("user.k" in os.listxattr(p))
PY
) || true
check "setxattr XATTR_CREATE/REPLACE, removexattr ($out)" [ "$out" = "EEXIST ENODATA False" -a -z "$(getfattr -n user.k "$bk/d/a" 2>/dev/null)" ]
setfacl -m u:1234:rw "$M/d/a" && setfacl -d -m g:5678:rx "$M/d" || true
check "ACLs (access and default) land in the backing dir" \
  sh -c "getfacl -p '$bk/d/a' 2>/dev/null | grep -q '^user:1234:rw-' && getfacl -p '$bk/d' 2>/dev/null | grep -q '^default:group:5678:r-x'"
# content: big, offsets, append, fsync, fallocate, sparse, statfs
head -c 3000000 /dev/urandom > "$work/rand" && cp "$work/rand" "$M/d/big" || true
check "3 MB write, byte for byte" cmp -s "$work/rand" "$bk/d/big"
out=$(rwq "$M/d" <<'PY'
import os, sys
d = sys.argv[1]
fd = os.open(d + "/w", os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
os.pwrite(fd, b"abc", 10); os.fsync(fd); os.fdatasync(fd); os.close(fd)
fd = os.open(d + "/w", os.O_WRONLY | os.O_APPEND); os.write(fd, b"XY"); os.close(fd)
fd = os.open(d + "/fa", os.O_CREAT | os.O_RDWR, 0o644); os.posix_fallocate(fd, 0, 1 << 20); os.close(fd)
fd = os.open(d + "/sparse", os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
os.pwrite(fd, b"a", 0); os.pwrite(fd, b"b", 16 << 20)
hole = os.lseek(fd, 0, os.SEEK_HOLE); data = os.lseek(fd, hole, os.SEEK_DATA); os.close(fd)
print(open(d + "/w", "rb").read() == b"\0" * 10 + b"abcXY", os.stat(d + "/fa").st_size, hole, data)
PY
) || true
check "pwrite at an offset, fsync, fdatasync, O_APPEND, fallocate ($out)" [ "${out% * *}" = "True 1048576" -a "$(st %s "$bk/d/fa")" = 1048576 ]
read -r _ _ hole data <<<"$out"
check "sparse: SEEK_HOLE/SEEK_DATA through the mount (hole at ${hole:-?}, data at ${data:-?})" [ "${hole:-x}" = 4096 -a "${data:-x}" = 16777216 ]
check "sparse: the hole stays a hole in the backing dir ($(st %b "$bk/d/sparse") blocks of 512 for $(st %s "$bk/d/sparse") bytes)" \
  [ "$(st %b "$bk/d/sparse")" -le 64 -a "$(st %s "$bk/d/sparse")" = 16777217 -a "$(tail -c 1 "$bk/d/sparse")" = b ]
check "statfs of the mount is the backing dir's" [ "$(stat -f -c '%b %S %l' "$M")" = "$(stat -f -c '%b %S %l' "$bk")" ]
# names: non-UTF-8, newline, 255 bytes; 256 bytes is too long
long=$(printf 'L%.0s' $(seq 254))
out=$(rwq "$M" "$bk" "$long" <<'PY'
import errno, os, sys
m, b, l = (os.fsencode(a) for a in sys.argv[1:])
names = [b"n\xffm", b"new\nline", b"-dash", l + b"\xff"]
os.mkdir(os.path.join(m, b"names"))
for n in names: open(os.path.join(m, b"names", n), "w").write("x")
os.mkdir(os.path.join(m, b"names", b"D" + l))
os.rename(os.path.join(m, b"names", b"D" + l), os.path.join(m, b"names", b"E" + l))
ok = sorted(os.listdir(os.path.join(b, b"names"))) == sorted(names + [b"E" + l])
ok = ok and sorted(os.listdir(os.path.join(m, b"names"))) == sorted(names + [b"E" + l])
try: open(os.path.join(m, b"names", l + b"xy"), "w"); print("created-256")
except OSError as e: print(ok, errno.errorcode[e.errno], len(l) + 1)
PY
) || true
check "non-UTF-8, newline and 255-byte names, file and directory, renamed ($out)" [ "$out" = "True ENAMETOOLONG 255" ]
# rename variants (renameat2 flags)
out=$(rwq "$M" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
m = sys.argv[1] + "/rn"
os.mkdir(m); os.mkdir(m + "/sub")
def put(n, s): open(m + "/" + n, "w").write(s)
def get(n): return open(m + "/" + n).read()
def r2(a, b, fl):
    rc = libc.renameat2(-100, (m + "/" + a).encode(), -100, (m + "/" + b).encode(), fl)
    return "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()]
put("a", "A"); put("b", "B"); put("c", "C")
res = [r2("a", "sub/a2", 0), get("sub/a2")]                 # plain, across directories
res += [r2("sub/a2", "b", 0), get("b"), os.path.exists(m + "/sub/a2")]   # replaces b
res += [r2("b", "c", 1), get("b"), get("c")]                # RENAME_NOREPLACE on an existing name
res += [r2("b", "new", 1), get("new")]                      # RENAME_NOREPLACE on a free name
res += [r2("new", "c", 2), get("new"), get("c")]            # RENAME_EXCHANGE
res += [r2("new", "c", 3), r2("new", "gone", 2)]            # EXCHANGE|NOREPLACE, EXCHANGE with a missing name
res += [r2("sub", "subdir", 0), get("subdir/../c")]         # a directory
res += [r2("c", "wh", 4), os.stat(m + "/c").st_rdev if os.path.exists(m + "/c") else None, get("wh")]  # WHITEOUT
res += [r2("wh", "x", 1 << 7)]                              # a flag nobody knows
print(" ".join(map(str, res)))
PY
) || true
check "rename, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT, bad flags ($out)" \
  [ "$out" = "ok A ok A False EEXIST A C ok A ok C A EINVAL ENOENT ok A ok 0 A EINVAL" ]
check "renames land in the backing dir" [ "$(cd "$bk/rn" && ls -A | tr '\n' ' ')" = "c new subdir wh " -a "$(cat "$bk/rn/new" 2>&1)" = C ]
# errors from the backing file system reach the caller, and change nothing
out=$(rwq "$M" <<'PY'
import errno, os, sys
m = sys.argv[1] + "/err"
os.mkdir(m); os.mkdir(m + "/full"); open(m + "/full/x", "w").write("x"); os.mkdir(m + "/empty")
open(m + "/f", "w").write("keep"); os.symlink("f", m + "/s")
def e(what, f):
    try: f(); return what + ":ok"
    except OSError as x: return what + ":" + errno.errorcode[x.errno]
r = [e("mkdir", lambda: os.mkdir(m + "/full")),
     e("creat-excl", lambda: os.open(m + "/f", os.O_CREAT | os.O_EXCL | os.O_WRONLY)),
     e("mkfifo", lambda: os.mkfifo(m + "/f")),
     e("symlink", lambda: os.symlink("t", m + "/f")),
     e("link", lambda: os.link(m + "/f", m + "/s")),
     e("stat", lambda: os.stat(m + "/none")),
     e("unlink", lambda: os.unlink(m + "/none")),
     e("rmdir-none", lambda: os.rmdir(m + "/none")),
     e("rename-none", lambda: os.rename(m + "/none", m + "/n2")),
     e("rmdir-full", lambda: os.rmdir(m + "/full")),
     e("rename-onto-full", lambda: os.rename(m + "/empty", m + "/full")),
     e("rename-dir-onto-file", lambda: os.rename(m + "/empty", m + "/f")),
     e("rename-file-onto-dir", lambda: os.rename(m + "/f", m + "/empty")),
     e("rename-into-itself", lambda: os.rename(m + "/full", m + "/full/sub")),
     e("unlink-dir", lambda: os.unlink(m + "/full")),
     e("rmdir-file", lambda: os.rmdir(m + "/f")),
     e("mkdir-under-file", lambda: os.mkdir(m + "/f/x")),
     e("open-dir-for-writing", lambda: os.open(m + "/full", os.O_WRONLY)),
     e("long-name", lambda: os.mkdir(m + "/" + "L" * 256))]
print(" ".join(r), open(m + "/f").read(), sorted(os.listdir(m)), os.listdir(m + "/full"))
PY
) || true
want="mkdir:EEXIST creat-excl:EEXIST mkfifo:EEXIST symlink:EEXIST link:EEXIST stat:ENOENT unlink:ENOENT rmdir-none:ENOENT"
want="$want rename-none:ENOENT rmdir-full:ENOTEMPTY rename-onto-full:ENOTEMPTY rename-dir-onto-file:ENOTDIR"
want="$want rename-file-onto-dir:EISDIR rename-into-itself:EINVAL unlink-dir:EISDIR rmdir-file:ENOTDIR mkdir-under-file:ENOTDIR"
want="$want open-dir-for-writing:EISDIR long-name:ENAMETOOLONG keep ['empty', 'f', 'full', 's'] ['x']"
check "errors reach the caller (EEXIST, ENOENT, ENOTEMPTY, ENOTDIR, EISDIR, EINVAL, ENAMETOOLONG) and change nothing" [ "$out" = "$want" ]
[ "$out" = "$want" ] || printf '    got:  %s\n    want: %s\n' "$out" "$want"
# EXDEV: the backing directory spans two file systems (a tmpfs mounted inside it); rename and link across them
mkdir "$bk/xdev" "$bk/xdev/other"; printf f > "$bk/xdev/f"
if mount -t tmpfs -o size=1m latencyfs-test "$bk/xdev/other" 2>"$work/xdev.err"; then
  XMNT=$bk/xdev/other
  out=$(rwq "$M" <<'PY'
import errno, os, sys
m = sys.argv[1] + "/xdev"
open(m + "/f", "w").write("f"); open(m + "/other/g", "w").write("g")
def e(f):
    try: f(); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
r = [e(lambda: os.rename(m + "/f", m + "/other/f")), e(lambda: os.link(m + "/f", m + "/other/f")),
     e(lambda: os.rename(m + "/other/g", m + "/g")), e(lambda: os.rename(m + "/other/g", m + "/other/h"))]
print(" ".join(r), sorted(os.listdir(m + "/other")))
PY
) || true
  check "EXDEV from the backing file system: rename and link across a mount inside it ($out)" \
    [ "$out" = "EXDEV EXDEV EXDEV ok ['h']" -a -f "$bk/xdev/f" -a -f "$bk/xdev/other/h" \
      -a "$(stat -c %d "$bk/xdev")" != "$(stat -c %d "$bk/xdev/other")" ]
  umount -l "$XMNT" && XMNT='' || true   # lazily: the daemon holds an fd of that directory until it unmounts
else
  skip "EXDEV across a mount inside the backing dir" "cannot mount a tmpfs here: $(head -c 200 "$work/xdev.err")"
fi
out=$(python3 -c 'import errno, os, sys
try: os.rename(sys.argv[1], sys.argv[2]); print("renamed")
except OSError as x: print(errno.errorcode[x.errno])' "$M/xdev/f" "$work/moved-out" 2>&1) || true
check "a rename out of the mount: EXDEV, nothing moved ($out)" [ "$out" = EXDEV -a -f "$bk/xdev/f" -a ! -e "$work/moved-out" ]
# inode table bookkeeping: hard link names, open files whose name is gone, changes made in the backing dir
out=$(rwq "$M" "$bk" <<'PY'
import os, sys
m, b = sys.argv[1] + "/it", sys.argv[2] + "/it"
os.mkdir(m)
open(m + "/a", "w").write("one"); os.link(m + "/a", m + "/b"); os.unlink(m + "/a")
r = [open(m + "/b").read()]; os.chmod(m + "/b", 0o600); r.append(oct(os.stat(b + "/b").st_mode & 0o777))
fd = os.open(m + "/tmp", os.O_CREAT | os.O_RDWR, 0o644); os.unlink(m + "/tmp")
os.write(fd, b"abc"); os.fchmod(fd, 0o600); os.ftruncate(fd, 2); s = os.fstat(fd); os.close(fd)
r += [s.st_size, s.st_nlink, oct(s.st_mode & 0o777)]
fd = os.open(m + "/held", os.O_CREAT | os.O_RDWR, 0o644); open(m + "/new", "w").write("n")
os.rename(m + "/new", m + "/held"); os.write(fd, b"old"); os.close(fd); r.append(open(m + "/held").read())
open(m + "/x", "w").write("1"); os.stat(m + "/x")
os.rename(b + "/x", b + "/y")                                   # behind the mount's back
r += [os.path.exists(m + "/x"), os.stat(m + "/y").st_size]
os.chmod(m + "/y", 0o640); r.append(oct(os.stat(b + "/y").st_mode & 0o777))
print(" ".join(map(str, r)))
PY
) || true
check "hard link whose first name is gone, open file whose name is gone, rename over an open file, rename in the backing dir ($out)" \
  [ "$out" = "one 0o600 2 0 0o600 n False 1 0o640" ]
# names replaced by symlinks behind the mount's back: nothing is done through the symlink
echo canary > "$work/canary"; chmod 600 "$work/canary"
out=$(rwq "$M" "$bk" "$work/canary" <<'PY'
import errno, os, sys
m, b, canary = sys.argv[1] + "/evil", sys.argv[2] + "/evil", sys.argv[3]
os.mkdir(m); open(m + "/f", "w").write("f")
fd = os.open(m + "/f", os.O_RDONLY)
os.unlink(b + "/f"); os.symlink(canary, b + "/f")             # the name now leads elsewhere
r = []
for what, call in (("fchmod", lambda: os.fchmod(fd, 0o777)), ("fchown", lambda: os.fchown(fd, 1, 1)),
                   ("futimens", lambda: os.utime(fd, ns=(0, 0))), ("fsetxattr", lambda: os.setxattr(fd, "user.x", b"1"))):
    try: call(); r.append(what + ":done")
    except OSError as e: r.append(what + ":" + errno.errorcode[e.errno])
s = os.stat(canary)
print(" ".join(r), oct(s.st_mode & 0o777), s.st_uid, s.st_mtime > 0, "user.x" in os.listxattr(canary))
PY
) || true
check "fchmod/fchown/futimens/fsetxattr on a file whose name became a symlink: refused, the target untouched ($out)" \
  sh -c "echo '$out' | grep -q ' 0o600 0 True False\$' && ! echo '$out' | grep -q ':done'"
# symlinks in the backing dir lead nowhere outside it: a directory the mount holds (an open fd) becomes a symlink
# to $work/outside behind its back, then every kind of change is made relative to that fd; and a symlink to an
# outside file is changed itself (chown -h, utimens, xattr, unlink). $work/outside must stay as it was.
mkdir "$work/outside" "$work/outside/sub"; printf out > "$work/outside/victim"; : > "$work/outside/gone"
chmod 600 "$work/outside/victim"
outside_state() { (cd "$work/outside" && find . -printf '%i %s %m %U %G %T@ %C@ %y %P\n' | sort; cat victim; getfattr -R -h -d -m - . 2>&1) | md5sum; }
outside0=$(outside_state)
escape_check() { # tag: prints the results of the changes made through the mount, one word each
  rwq "$M" "$bk" "$work/outside" "$1" <<'PY'
import errno, os, sys
m, b, out, tag = sys.argv[1:5]
x = "/esc-" + tag
os.mkdir(m + x); os.mkdir(m + x + "/sub")
for n in ("victim", "gone"): open(m + x + "/" + n, "w").write("in")
os.chmod(m + x + "/victim", 0o600)
dfd = os.open(m + x, os.O_RDONLY | os.O_DIRECTORY)
os.rename(b + x, b + x + ".old"); os.symlink(out, b + x)             # behind the mount's back
def e(what, f):
    try: f(); return what + ":ok"
    except OSError as err: return what + ":" + errno.errorcode[err.errno]
def trunc():
    fd = os.open("victim", os.O_WRONLY | os.O_TRUNC, dir_fd=dfd); os.write(fd, b"bad"); os.close(fd)
r = [e("mkdir", lambda: os.mkdir("new", dir_fd=dfd)),
     e("create", lambda: os.close(os.open("newf", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=dfd))),
     e("symlink", lambda: os.symlink("t", "sl", dir_fd=dfd)),
     e("mkfifo", lambda: os.mkfifo("ff", dir_fd=dfd)),
     e("chmod", lambda: os.chmod("victim", 0o777, dir_fd=dfd)),
     e("chown", lambda: os.chown("victim", 1, 1, dir_fd=dfd)),
     e("utimens", lambda: os.utime("victim", ns=(0, 0), dir_fd=dfd)),
     e("truncate+write", trunc),
     e("setxattr", lambda: os.setxattr("/proc/self/fd/%d/victim" % dfd, "user.x", b"1")),
     e("link", lambda: os.link("victim", "vl", src_dir_fd=dfd, dst_dir_fd=dfd)),
     e("rename", lambda: os.rename("vl", "moved", src_dir_fd=dfd, dst_dir_fd=dfd)),
     e("unlink", lambda: os.unlink("gone", dir_fd=dfd)),
     e("rmdir", lambda: os.rmdir("sub", dir_fd=dfd))]
os.symlink(out + "/victim", b + x + "-link")                          # a symlink out, made in the backing dir
l = m + x + "-link"
def same_target(t):
    if t != out + "/victim": raise OSError(errno.EIO, "readlink: " + t)
r += [e("lchown", lambda: os.chown(l, 2, 2, follow_symlinks=False)),
      e("lutimens", lambda: os.utime(l, ns=(1, 1), follow_symlinks=False)),
      e("lsetxattr", lambda: os.setxattr(l, "trusted.l", b"1", follow_symlinks=False)),
      e("readlink", lambda: same_target(os.readlink(l))),
      e("unlink-link", lambda: os.unlink(l))]
print(" ".join(r))
if tag == "fd":   # what landed where: the directory that was moved aside
    o = b + x + ".old"
    s = os.stat(o + "/victim")
    print(sorted(os.listdir(o)), oct(s.st_mode & 0o777), s.st_uid, s.st_nlink, open(o + "/victim").read(),
          os.getxattr(o + "/victim", "user.x"))
PY
}
out=$(escape_check fd 2>&1) || true
want="mkdir:ok create:ok symlink:ok mkfifo:ok chmod:ok chown:ok utimens:ok truncate+write:ok setxattr:ok link:ok rename:ok"
want="$want unlink:ok rmdir:ok lchown:ok lutimens:ok lsetxattr:ok readlink:ok unlink-link:ok"
want="$want ['ff', 'moved', 'new', 'newf', 'sl', 'victim'] 0o777 1 2 bad b'1'"
check "a held directory replaced by a symlink out: changes land in the directory itself (moved aside), not outside" \
  [ "$(echo $out)" = "$want" ]
[ "$(echo $out)" = "$want" ] || printf '    got:  %s\n    want: %s\n' "$(echo $out)" "$want"
check "a symlink out of the backing dir: chown -h, utimens, xattr and unlink act on the link; outside unchanged" \
  [ "$(outside_state)" = "$outside0" -a ! -L "$bk/esc-fd-link" ]
# as the caller (allow_other): owner, group, umask, a setgid directory, permissions. The callers start in $M
# (relative paths): the mount point's parent is root's 0700 directory, which they could not pass through.
as_nobody() { (cd "$M" && setpriv --reuid 65534 --regid 65534 --clear-groups "$@"); }
mkdir "$M/u" "$M/sg" && chown 65534:65534 "$M/u" && chgrp 4242 "$M/sg" && chmod 2777 "$M/sg" || true
as_nobody sh -c "umask 027; mkdir u/d; touch u/f sg/g; ln -s t u/s; mkfifo u/p" 2>"$work/caller.err" || true
check "as the caller: owner, group, umask of new files, directories, symlinks, fifos ($(cd "$bk/u" && stat -c '%n:%u:%g:%a' d f s p | tr '\n' ' '))" \
  [ "$(cd "$bk/u" && stat -c '%u:%g:%a' d f p | tr '\n' ' ')$(st %u:%g "$bk/u/s")" = "65534:65534:750 65534:65534:640 65534:65534:640 65534:65534" ]
check "as the caller: a setgid directory's group ($(st %u:%g:%a "$bk/sg/g"))" [ "$(st %u:%g:%a "$bk/sg/g")" = 65534:4242:640 ]
out=$(as_nobody touch d/nope 2>&1) || true
check "as the caller: permission denied in root's 755 directory ($out)" [ "${out%Permission denied}" != "$out" -a ! -e "$bk/d/nope" ]
cp /bin/true "$M/u/suid" && chmod 6755 "$M/u/suid" && chmod o+w "$M/u/suid" || true
as_nobody sh -c "printf x >> u/suid" || true
check "a write by a non-root caller clears set-user-ID and set-group-ID ($(st %a "$bk/u/suid"))" [ "$(st %a "$bk/u/suid")" = 757 ]
# no caching: changes made in the backing dir show through the mount at once
out=$(rwq "$M" "$bk" <<'PY'
import os, sys
m, b = sys.argv[1] + "/nc", sys.argv[2] + "/nc"
os.mkdir(m); open(m + "/f", "w").write("1"); r = [os.stat(m + "/f").st_size]
open(b + "/f", "w").write("12345"); r += [os.stat(m + "/f").st_size, open(m + "/f").read()]
os.chmod(b + "/f", 0o611); r.append(oct(os.stat(m + "/f").st_mode & 0o777))
os.utime(b + "/f", ns=(5, 7)); r.append(os.stat(m + "/f").st_mtime_ns)
open(b + "/g", "w").write("g"); r.append(sorted(os.listdir(m)))
os.unlink(b + "/g"); r.append(os.path.exists(m + "/g"))
os.setxattr(b + "/f", "user.n", b"v"); r.append(os.getxattr(m + "/f", "user.n"))
print(" ".join(map(str, r)))
PY
) || true
check "no caching: size, content, mode, mtime, new and removed names, xattrs changed in the backing dir ($out)" \
  [ "$out" = "1 5 12345 0o611 7 ['f', 'g'] False b'v'" ]
fg_umount
stats=$(grep 'nodes live' "$work/rw.log" || true)
read -r live _ created freed <<<"$(echo "$stats" | sed -E 's/.*live ([0-9]+).*peak ([0-9]+), created ([0-9]+), freed ([0-9]+).*/\1 \2 \3 \4/')"
table_ok() { [ -n "${live:-}" ] && [ $((${created:-0} - ${freed:-0})) = "$live" ]; }
check "writable: inode table consistent after renames and unlinks: created - freed = live ($stats)" table_ok
check "writable: the daemon wrote no error ($(grep -v 'nodes live' "$work/rw.log" | head -c 200))" [ -z "$(grep -v 'nodes live' "$work/rw.log")" ]
# the same with no fd budget: the directory is reached by name (O_NOFOLLOW), so every change fails
if FG_NOFILE=64 fg_mount "$work/rwnofd.log" --rw --delay-us=0 "$bk"; then
  out=$(escape_check nofd 2>&1) || true
  fg_umount
  oks=$(echo "$out" | tr ' ' '\n' | grep -v '^\(lchown\|lutimens\|lsetxattr\|readlink\|unlink-link\):' | grep -c ':ok$' || true)
  check "no fd budget: a directory replaced by a symlink out: all 13 changes refused ($out)" \
    [ "$oks" = 0 -a "$(echo "$out" | tr ' ' '\n' | grep -c ':E[A-Z]*$')" = 13 ]
  check "no fd budget: the symlink out itself is changed, not its target ($out)" \
    [ "${out#* lchown:ok lutimens:ok lsetxattr:ok readlink:ok unlink-link:ok}" = "" ]
  check "no fd budget: outside unchanged" [ "$(outside_state)" = "$outside0" ]
else
  bad "no fd budget: writable mount"
fi

# the delay of each kind of request, at 5 ms: metadata (errors too) >= the delay; write not delayed; a read pays
# one delay, for the GETATTR the kernel sends before every read (FUSE_CAP_AUTO_INVAL_DATA: no stale data), but the
# READ itself is not delayed; with --delay-data, write >= 1 delay and read >= 2
DMS=5
rw_times() { # -> "op=min_ms ..." for every kind of request, 5 each, relative to an open directory
  python3 - "$M" <<'PY'
import os, sys, time
m = sys.argv[1]
os.mkdir(m + "/t"); d = os.open(m + "/t", os.O_RDONLY | os.O_DIRECTORY)
res = {}
def timed(name, f):
    lat = []
    for i in range(5):
        a = time.perf_counter(); f(i); lat.append(time.perf_counter() - a)
    res[name] = min(lat) * 1000
def fails(f):
    def g(i):
        try: f(i)
        except OSError: return
        raise SystemExit("no error from " + str(f))
    return g
timed("mkdir", lambda i: os.mkdir("m%d" % i, dir_fd=d))
timed("mkdir-EEXIST", fails(lambda i: os.mkdir("m%d" % i, dir_fd=d)))
timed("unlink-ENOENT", fails(lambda i: os.unlink("none%d" % i, dir_fd=d)))
timed("create", lambda i: os.close(os.open("c%d" % i, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644, dir_fd=d)))
fd = os.open("c0", os.O_RDWR, dir_fd=d)
timed("chmod", lambda i: os.fchmod(fd, 0o600 + i))
timed("chown", lambda i: os.fchown(fd, i, i))
timed("utimens", lambda i: os.utime(fd, ns=(i, i)))
timed("ftruncate", lambda i: os.ftruncate(fd, i))
timed("setxattr", lambda i: os.setxattr(fd, "user.t%d" % i, b"%d" % i))
timed("removexattr", lambda i: os.removexattr(fd, "user.t%d" % i))
timed("symlink", lambda i: os.symlink("x", "s%d" % i, dir_fd=d))
timed("link", lambda i: os.link("c0", "l%d" % i, src_dir_fd=d, dst_dir_fd=d))
timed("rename", lambda i: os.rename("m%d" % i, "r%d" % i, src_dir_fd=d, dst_dir_fd=d))
timed("unlink", lambda i: os.unlink("l%d" % i, dir_fd=d))
timed("rmdir", lambda i: os.rmdir("r%d" % i, dir_fd=d))
timed("mkfifo", lambda i: os.mkfifo("p%d" % i, dir_fd=d))
timed("mknod", lambda i: os.mknod("n%d" % i, 0o600 | 0o020000, os.makedev(1, 3), dir_fd=d))
timed("write", lambda i: os.pwrite(fd, b"x" * 100, i * 100))
os.pwrite(fd, b"y" * 65536, 0)
rd = os.open("c0", os.O_RDONLY, dir_fd=d)            # a fresh open drops the cached pages (no keep_cache)
os.posix_fadvise(rd, 0, 0, os.POSIX_FADV_RANDOM)       # no read-ahead: every page below is one READ request
timed("read", lambda i: os.pread(rd, 100, (2 * i + 1) * 4096))
print(" ".join("%s=%.2f" % kv for kv in res.items()))
PY
}
meta_ops="mkdir mkdir-EEXIST unlink-ENOENT create chmod chown utimens ftruncate setxattr removexattr symlink link rename"
meta_ops="$meta_ops unlink rmdir mkfifo mknod"
ms_of() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }   # "op=ms ..." op -> ms
min_of() { # "op=ms ..." ops... -> the smallest ms of those ops
  local all=$1; shift
  for o in "$@"; do ms_of "$all" "$o"; done | sort -g | head -1
}
in_range() { awk -v v="${1:-}" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 < hi) }'; }
mkdir "$work/rwd"
if fg_mount "$work/rwd.log" --rw --delay-us=$((DMS * 1000)) "$work/rwd"; then
  out=$(rw_times 2>&1) || true
  fg_umount
  n=$(for o in $meta_ops; do ms_of "$out" "$o"; done | wc -l)
  mn=$(min_of "$out" $meta_ops)
  check "writable, $DMS ms: every kind of metadata request, errors too, takes >= $DMS ms ($n of 17 measured, fastest ${mn:-?} ms: $out)" \
    eval '[ "$n" = 17 ] && in_range "$mn" "$DMS" 1e9'
  w=$(ms_of "$out" write) r=$(ms_of "$out" read)
  check "writable, $DMS ms: a write is not delayed (${w:-?} ms < $DMS / 2)" in_range "$w" 0 "$((DMS / 2))"
  check "writable, $DMS ms: a read pays the one delay of the kernel's GETATTR, not a second for the READ (${r:-?} ms in [$DMS, $((2 * DMS))))" \
    in_range "$r" "$DMS" "$((2 * DMS))"
else
  bad "writable delay mount"
fi
rm -rf "${work:?}/rwd"; mkdir "$work/rwd"
if fg_mount "$work/rwdd.log" --rw --delay-us=$((DMS * 1000)) --delay-data "$work/rwd"; then
  out=$(rw_times 2>&1) || true
  fg_umount
  w=$(ms_of "$out" write) r=$(ms_of "$out" read)
  check "writable, $DMS ms, --delay-data: a write takes >= $DMS ms (${w:-?} ms), a read >= $((2 * DMS)) ms (${r:-?} ms)" \
    eval 'in_range "$w" "$DMS" 1e9 && in_range "$r" "$((2 * DMS))" 1e9'
else
  bad "writable --delay-data mount"
fi

# parallel writers: one writer alone, then 8 threads, each in its own directory and all in a shared one; all of
# it correct, and the 8 run concurrently: one after the other they would take >= 8 x the single writer's time
mkdir "$work/par"
if fg_mount "$work/par.log" --rw --delay-us=$((DMS * 1000)) "$work/par"; then
  out=$(python3 - "$M" <<'PY'
import os, sys, threading, time
m = sys.argv[1]
os.mkdir(m + "/shared")
def writer(w):
    d = os.open(m, os.O_RDONLY | os.O_DIRECTORY); os.mkdir("w%d" % w, dir_fd=d)
    wd = os.open("w%d" % w, os.O_RDONLY | os.O_DIRECTORY, dir_fd=d)
    for i in range(10):
        fd = os.open("f%d" % i, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644, dir_fd=wd)
        os.write(fd, b"%d-%d" % (w, i) * 100); os.close(fd)
    open("%s/shared/tmp-%d" % (m, w), "w").write("%d" % w)
    os.rename("%s/shared/tmp-%d" % (m, w), "%s/shared/s-%d" % (m, w))
    os.close(wd); os.close(d)
t0 = time.perf_counter(); writer(8); solo = time.perf_counter() - t0
th = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
t0 = time.perf_counter(); [t.start() for t in th]; [t.join() for t in th]
print(int(solo * 1000), int((time.perf_counter() - t0) * 1000))
PY
  ) || true
  fg_umount
else
  bad "writable parallel mount"; out=''
fi
read -r solo wall <<<"$out"
good=$(python3 - "$work/par" <<'PY'
import os, sys
b = sys.argv[1]; bad = 0
for w in range(9):
    for i in range(10):
        try: bad += open("%s/w%d/f%d" % (b, w, i), "rb").read() != b"%d-%d" % (w, i) * 100
        except OSError: bad += 1
want = sorted("s-%d" % w for w in range(9))
print(bad == 0 and sorted(os.listdir(b + "/shared")) == want)
PY
) || true
check "9 writers (99 files, 9 renames in one shared directory): all in the backing dir, content right" [ "$good" = True ]
check "one writer alone pays the delays (${solo:-?} ms >= 10 creates x 2 requests (LOOKUP, CREATE) x $DMS ms)" \
  eval '[ -n "${solo:-}" ] && [ "$solo" -ge $((20 * DMS)) ]'
check "8 parallel writers run concurrently (wall ${wall:-?} ms < 4 x ${solo:-?} ms of one writer alone; one after the other >= 8 x)" \
  eval '[ -n "${solo:-}" ] && [ -n "${wall:-}" ] && [ "$wall" -lt $((4 * solo)) ]'

# clean unmount on signals: the daemon (TERM, INT, HUP), with a file open and idle; with-latencyfs.sh's group
wait_for() { # pid secs: its exit status, or 124 after killing it (SIGKILL) when it has not ended within secs
  local i
  for ((i = 0; i < $2 * 20; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$1" 2>/dev/null; then kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
  local rc=0; wait "$1" || rc=$?; return "$rc"
}
for sig in TERM INT HUP; do
  mkdir -p "$work/sig"
  if fg_mount "$work/sig.log" --rw --delay-us=100 "$work/sig"; then
    { exec 7>"$M/open-$sig" && printf x >&7; } || true
    kill -"$sig" "$FG_PID"; rc=0; wait_for "$FG_PID" 10 || rc=$?
    exec 7>&-
    mp=$M; M='' FG_PID=''
    sig_ok() { [ "$rc" = 0 ] && ! findmnt -n "$mp" >/dev/null && rmdir "$mp" && [ "$(cat "$work/sig/open-$sig")" = x ]; }
    check "SIG$sig with a file open for writing: the daemon unmounts and exits 0, the data is there (exit $rc)" sig_ok
  else
    bad "SIG$sig: mount"
  fi
done
mkdir -p "$work/sigw"
setsid "$W" --rw-target "$work/sigw" -- sh -c 'touch "$LATENCYFS_MNT/started"; exec sleep 60' </dev/null >/dev/null 2>&1 &
wpid=$!
for _ in $(seq 100); do [ -e "$work/sigw/started" ] && break; sleep 0.05; done
kill -TERM -- "-$wpid" 2>/dev/null || true
rc=0; wait_for "$wpid" 20 || rc=$?
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
sigw_ok() { [ -e "$work/sigw/started" ] && { [ "$rc" = 130 ] || [ "$rc" = 143 ]; } && [ "$left" = 0 ]; }
check "with-latencyfs.sh --rw-target, SIGTERM to its process group: exit 130 (got $rc), unmounted ($left left)" sigw_ok
# with-latencyfs.sh --rw-target: a failing command, and a daemon that dies under the command (its mount is left
# "not connected"): both unmounted, exit status passed on
mkdir -p "$work/fail"
rc=0; "$W" --rw-target "$work/fail" -- sh -c 'mkdir "$LATENCYFS_MNT/made"; exit 3' >/dev/null 2>&1 || rc=$?
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "with-latencyfs.sh --rw-target, a command that fails: its exit status 3 (got $rc), unmounted ($left left), its work kept" \
  [ "$rc" = 3 -a "$left" = 0 -a -d "$work/fail/made" ]
rc=0; "$W" --rw-target "$work/fail" -- sh -c '
  pid=$(pgrep -f -- "--rw .* $LATENCYFS_MNT\$") && kill -KILL "$pid" && sleep 0.2 && ! ls "$LATENCYFS_MNT" >/dev/null 2>&1' \
  >/dev/null 2>&1 || rc=$?
left=$(findmnt -rn -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "with-latencyfs.sh --rw-target, the daemon killed under the command: dead mount cleaned up (exit $rc, $left left)" \
  [ "$rc" = 0 -a "$left" = 0 ]
procs() { pgrep -f -- "$BIN .*$LATENCYFS_BASE/" || true; }
for _ in $(seq 40); do [ -z "$(procs)" ] && break; sleep 0.05; done
check "no latencyfs process left for the mount points here ($(procs | tr '\n' ' '))" [ -z "$(procs)" ]

# end to end: a real restore onto the writable mount (cp -a, then tar -x with xattrs, ACLs, hard links, devices)
e2e_tree() { # dir: files of several sizes, a sparse file, hard links, symlinks, special files, odd names, xattrs,
  local s=$1 long   # ACLs, owners, modes, ns mtimes (atimes a day ahead so that reading leaves them: relatime)
  mkdir -p "$s/data" "$s/links/other" "$s/special" "$s/odd" "$s/acl" "$s/modes"
  : > "$s/data/empty"; printf x > "$s/data/one"; head -c 4096 /dev/urandom > "$s/data/block"
  head -c 100000 /dev/urandom > "$s/data/mid"; head -c 3145728 /dev/urandom > "$s/data/big"
  printf a > "$s/data/sparse"; printf b | dd of="$s/data/sparse" bs=1 seek=16777216 conv=notrunc status=none
  echo shared > "$s/links/a"; ln "$s/links/a" "$s/links/b"; ln "$s/links/a" "$s/links/other/c"
  ln -s a "$s/links/rel"; ln -s /etc/hostname "$s/links/abs"; ln -s nowhere "$s/links/dangling"
  ln -s other "$s/links/todir"; ln -s "$(printf 'tar\377get')" "$s/links/odd-target"
  mkfifo "$s/special/fifo"; mknod "$s/special/null" c 1 3 2>/dev/null || true; mknod "$s/special/loop" b 7 200 2>/dev/null || true
  : > "$s/odd/$(printf 'n\377m')"; : > "$s/odd/$(printf 'new\nline')"; : > "$s/odd/-dash"; : > "$s/odd/ sp ace "
  mkdir "$s/odd/$(printf 'dir\376')"; echo in > "$s/odd/$(printf 'dir\376')/inside"
  long=$(printf 'L%.0s' $(seq 254)); echo long > "$s/odd/${long}$(printf '\377')"; mkdir "$s/odd/D${long}"
  setfattr -n user.k -v value "$s/data/one"; setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr '\0' x)" "$s/data"
  setfattr -n trusted.t -v root-only "$s/data/mid"
  setfacl -m u:1234:rw,g:5678:r "$s/acl"; : > "$s/acl/f"; setfacl -m u:1234:r "$s/acl/f"; setfacl -d -m u:1234:rwx,g::rx "$s/acl"
  : > "$s/modes/none"; chmod 0000 "$s/modes/none"; cp /bin/true "$s/modes/suid"; chmod 4755 "$s/modes/suid"
  mkdir "$s/modes/sgid" "$s/modes/sticky"; chmod 2750 "$s/modes/sgid"; chmod 1777 "$s/modes/sticky"; chmod 0700 "$s/modes"
  chown 1234:5678 "$s/data/mid" "$s/modes/sgid"; chown -h 65534:65534 "$s/links/rel"; chown 42:43 "$s/special/fifo"
  find "$s" -depth -exec touch -h -m -d '2021-02-03 04:05:06.123456789' {} +
  find "$s" ! -type d ! -type l -exec touch -a -d '+1 day' {} +
  find "$s" -depth -type d -exec touch -m -d '2022-03-04 05:06:07.987654321' {} +
}
esrc=$work/e2e-src edst=$work/e2e-dst
mkdir "$esrc" "$edst"
if e2e_tree "$esrc" 2>"$work/e2e-tree.err"; then
  tar --xattrs --xattrs-include='*' --acls --format=posix --sparse -C "$esrc" -cf "$work/e2e.tar" . 2>"$work/e2e-tar.err" || true
  V=$ROOT/scripts/verify.py
  "$W" --delay-us 50 --rw-target "$edst" -- sh -c '
    cp -a "$1/." "$LATENCYFS_MNT/cp" && echo cp-ok
    mkdir "$LATENCYFS_MNT/tar" && tar --xattrs --xattrs-include="*" --acls --numeric-owner -xpf "$2" -C "$LATENCYFS_MNT/tar" && echo tar-ok
    python3 "$3" "$1" "$LATENCYFS_MNT/cp" --xattrs --ns-times --blocks && echo mnt-verify-ok' \
    _ "$esrc" "$work/e2e.tar" "$V" >"$work/e2e.out" 2>&1 || true
  check "end to end: cp -a and tar -x onto with-latencyfs.sh --rw-target ran ($(grep -c -- '-ok$' "$work/e2e.out") of 3 steps ok)" \
    grep -q tar-ok "$work/e2e.out"
  check "end to end: verify.py through the mount: cp -a copy identical, ns times and xattrs included" grep -q mnt-verify-ok "$work/e2e.out"
  out=$(python3 "$V" "$esrc" "$edst/cp" --xattrs --ns-times --blocks 2>&1) || true
  check "end to end: cp -a in the backing dir = source, byte for byte and metadata for metadata (${out##*| })" [ "${out#verify: OK}" != "$out" ]
  out=$(python3 "$V" "$esrc" "$edst/tar" --xattrs --blocks 2>&1) || true
  check "end to end: tar -x in the backing dir = source, byte for byte and metadata for metadata (${out##*| })" [ "${out#verify: OK}" != "$out" ]
  check "end to end: tar -x kept nanosecond mtimes" cmp -s <(cd "$esrc" && find . -printf '%T@ %P\0' | sort -z) <(cd "$edst/tar" && find . -printf '%T@ %P\0' | sort -z)
  check "end to end: ACLs and devices were part of it" \
    sh -c "getfacl -p '$edst/tar/acl' 2>/dev/null | grep -q '^default:user:1234:rwx' && [ -c '$edst/cp/special/null' -o ! -c '$esrc/special/null' ]"
else
  bad "end to end: building the source tree ($(head -c 300 "$work/e2e-tree.err"))"
fi

# nothing left mounted, mount points removed
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "unmounted on exit ($left left)" [ "$left" = 0 ]
check "mount points removed" [ -z "$(ls -A "$LATENCYFS_BASE" 2>/dev/null)" ]
# a failing command still unmounts
"$W" --synthetic=10 -- false && bad "exit status of the command is passed on" || ok "exit status of the command is passed on"
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "unmounted after a failing command" [ "$left" = 0 ]
if [ -n "$SANLOG" ]; then
  check "no sanitizer report in $SANLOG ($(ls "$SANLOG" | head -5 | tr '\n' ' '))" [ -z "$(ls -A "$SANLOG")" ]
fi
if [ "$S" -gt 0 ]; then
  echo "latencyfs: skipped:"
  printf '    %s\n' "${SKIPS[@]}"
fi
echo "$P passed, $F failed, $S skipped"
[ "$F" = 0 ]
