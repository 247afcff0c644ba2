#!/usr/bin/env bash
# latencyfs integration test (part of scripts/test.sh; ~10 s): builds latencyfs, mounts it (synthetic and
# passthrough), walks it with `podheitor-hpc walk`, compares with find, reads data; checks the synthetic tree
# against checksums taken from the previous (high-level API) implementation, the passthrough's metadata, xattrs,
# hard links, odd names, large directories and readdir offsets against the source (also with no fd budget),
# the delay with concurrent stats and the --threads cap, the inode table after repeated walks (and after
# dropping the kernel's inode cache if LATENCYFS_TEST_DROP_CACHES=1: a global cache drop, off by default);
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
  ( if [ -n "${FG_NOFILE:-}" ]; then ulimit -n "$FG_NOFILE"; fi; exec "$BIN" -f "$@" "$M" 2>"$log" ) &
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
trap 'fg_umount; rm -rf "$src" "$src2" "$work"' EXIT
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
