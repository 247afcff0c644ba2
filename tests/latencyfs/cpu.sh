#!/usr/bin/env bash
# CPU cost of the latencyfs daemon per walked entry and per FUSE request (not part of scripts/test.sh).
#
#   tests/latencyfs/cpu.sh [--bin PATH] [--delay-us=N] [--threads=N] [--workers=N] [-o FUSEOPT] [--runs N] [--count-ops]
#                          (--source DIR | --synthetic=FILES) [TOOL...]
#
# TOOL: find (default: `find MNT -printf '%s %T@ %m %U %G\n'`), fd (`fdfind -u -H --changed-before 1s -j 64 .
# MNT`), walk (`bin/podheitor-hpc walk --threads ${WALK_THREADS:-32} MNT`, needs scripts/build.sh). For each
# tool: mount (foreground daemon started here, so its pid is known), run the tool RUNS times (default 1), and
# print the daemon's CPU (utime+stime from /proc/PID/stat, all threads, clock ticks) and the client's user/sys CPU
# and wall time (GNU time). --count-ops additionally runs the tool once more under `perf stat -a -e
# fuse:fuse_request_send --filter 'connection == DEV'` to count the FUSE requests the kernel sent to this mount
# (a separate run, so the counting does not touch the CPU figures), and prints µs per op for that run.
# The CPU figures are robust on a busy machine; the wall time is only a sanity check.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/latencyfs/build/latencyfs
lfs=() src='' syn='' runs=1 count=0 tools=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) BIN=$2; shift 2;;
    --source) src=$2; shift 2;;
    --synthetic=*) syn=${1#--synthetic=}; lfs+=("$1"); shift;;
    --workers=*|--delay-us=*|--threads=*|--files-per-dir=*|--dir-fanout=*) lfs+=("$1"); shift;;
    -o) lfs+=(-o "$2"); shift 2;;
    --runs) runs=$2; shift 2;;
    --count-ops) count=1; shift;;
    find|fd|walk) tools+=("$1"); shift;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    *) echo "cpu.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ ${#tools[@]} -gt 0 ] || tools=(find)
[ -n "$src$syn" ] || { echo "cpu.sh: --source DIR or --synthetic=FILES" >&2; exit 2; }
tck=$(getconf CLK_TCK)
mnt=$(mktemp -d /tmp/podheitor-hpc-lfs-cpu.XXXXXX)
pid=''
umnt() {
  if [ -n "$pid" ]; then
    fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=''
  fi
}
trap 'umnt; rmdir "$mnt" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

if [ -n "$src" ]; then
  entries=$(find "$src" | wc -l)
  find "$src" -printf '%s %T@\n' >/dev/null   # warm the source's dentries and inodes
else
  entries=''   # counted through the mount below
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

mount_it() {
  if [ -n "$src" ]; then "$BIN" -f "${lfs[@]}" "$src" "$mnt" & else "$BIN" -f "${lfs[@]}" "$mnt" & fi
  pid=$!
  for _ in $(seq 200); do findmnt -n "$mnt" >/dev/null 2>&1 && return 0; sleep 0.02; done
  echo "cpu.sh: mount did not appear" >&2; exit 1
}

client() {
  case $1 in
    find) find "$mnt" -printf '%s %T@ %m %U %G\n';;
    fd) fdfind -u -H --changed-before 1s -j 64 . "$mnt";;
    walk) "$ROOT/bin/podheitor-hpc" walk --threads "${WALK_THREADS:-32}" "$mnt";;
  esac
}

for t in "${tools[@]}"; do
  mount_it
  if [ -z "$entries" ]; then entries=$(find "$mnt" -printf x | wc -c); fi
  [ "$t" = fd ] && n=$((entries - 1)) || n=$entries   # fd does not print the root
  for r in $(seq "$runs"); do
    d0=$(ticks "$pid")
    tm=$( { /usr/bin/time -f '%e %U %S' bash -c "$(declare -f client); ROOT='$ROOT'; mnt='$mnt'; client $t >/dev/null"; } 2>&1 | tail -1)
    d1=$(ticks "$pid")
    set -- $tm
    awk -v t="$t" -v r="$r" -v n="$n" -v d="$((d1 - d0))" -v hz="$tck" -v w="$1" -v u="$2" -v s="$3" 'BEGIN {
      printf "%-4s run %d: %d entries  daemon %.2f CPU-s = %.1f us/entry  client user %.2f s sys %.2f s = %.1f us/entry  wall %.2f s = %.3f ms/entry\n",
        t, r, n, d / hz, d / hz / n * 1e6, u, s, (u + s) / n * 1e6, w, w / n * 1e3 }'
  done
  if [ "$count" = 1 ]; then
    dev=$(stat -c %d "$mnt")
    d0=$(ticks "$pid")
    ops=$(perf stat -x, -a -e fuse:fuse_request_send --filter "connection == $dev" -- \
            bash -c "$(declare -f client); ROOT='$ROOT'; mnt='$mnt'; client $t >/dev/null" 2>&1 | awk -F, '/fuse_request_send/ {print $1}')
    d1=$(ticks "$pid")
    awk -v t="$t" -v n="$n" -v o="$ops" -v d="$((d1 - d0))" -v hz="$tck" 'BEGIN {
      printf "%-4s ops: %d FUSE requests = %.2f per entry; daemon %.2f CPU-s in that run = %.1f us/op\n",
        t, o, o / n, d / hz, d / hz / o * 1e6 }'
  fi
  umnt
done
