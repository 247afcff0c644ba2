#!/usr/bin/env bash
# Stripe-aware parallel reads vs sequential reads of large Lustre-striped files, in the same run, through real
# Bacula, on the emulator: latencyfs --ost-bw caps every "OST" of a file's fake layout at the same bandwidth
# (docs/stripe.md §5), and hpc-lustre's fake liblustreapi.so gives the backend the layouts.
#
#   scripts/bench-stripe.sh [--files N] [--size-mib S] [--stripes K] [--ost-bw MBPS] [--runs R]
#
# Set-up: N files (default 2) of S MiB (default 1024) of random bytes, each striped over K OSTs (default 4, 1 MiB
# stripes), in a fake Lustre tree (kept in TREES between runs), seen through latencyfs --ost-bw=MBPS (default 40) and
# --delay-us=150; a private Bacula (own state and ports). Each round (default 3) runs two Full backups of the mount,
# alternating their order: mode=lustre with parallel_reads=auto (a reader per OST) and with parallel_reads=no
# (one sequential reader). Per job: wall, FD-active time, MB/s, CPU of bacula-fd / bacula-sd / the backend, the
# backend's peak RSS. Prints a line per job and a markdown table of medians with the ratio stripe-aware / sequential.
# Everything it started is stopped at the end.
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-stripe), PHPC_{DIR,FD,SD}_PORT (19491-19493),
# PHPC_SKIP_BUILD=1, TREES (default /tmp/podheitor-hpc-trees), OUT (raw outputs).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-stripe
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-stripe}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19491} PHPC_FD_PORT=${PHPC_FD_PORT:-19492} PHPC_SD_PORT=${PHPC_SD_PORT:-19493}
H=$ROOT/scripts/lib/bacula-harness.sh

files=2 size=1024 stripes=4 bw=40 runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --files) files=$2; shift 2;;
    --size-mib) size=$2; shift 2;;
    --stripes) stripes=$2; shift 2;;
    --ost-bw) bw=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "bench-stripe: unknown argument $1" >&2; exit 2;;
  esac
done
for v in "$files" "$size" "$stripes" "$bw" "$runs"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "bench-stripe: --files/--size-mib/--stripes/--ost-bw/--runs: positive integers" >&2; exit 2; }
done
is_root || die "run as root (FUSE mount, bacula-fd runs as root)"
ensure_state_dir "$PHPC_STATE"
TREES=${TREES:-/tmp/podheitor-hpc-trees}
ensure_state_dir "$TREES"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
LFS=$ROOT/latencyfs/build/latencyfs
[ -x "$LFS" ] || die "latencyfs is not built ($LFS): scripts/build.sh builds it"
OUT=${OUT:-$PHPC_STATE/bench-stripe-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
base=$ROOT/build/bench-stripe-$PHPC_FD_PORT
rm -rf -- "$base"
install -d -m 755 -- "$base"
make -s -C "$ROOT/hpc-lustre/src/test/c" O="$base/fake" >&2 || die "building the fake liblustreapi failed"

# the tree: a fake Lustre root with K OSTs, N files of S MiB striped over all of them
src=$TREES/stripe-${files}x${size}m-${stripes}
if [ ! -e "$src.done" ]; then
  rm -rf -- "$src"
  mkdir -p -- "$src/data"
  info "writing $files files of $size MiB into $src..."
  for ((i = 0; i < files; i++)); do
    head -c $((size * 1048576)) /dev/urandom > "$src/data/f$i"
  done
  touch "$src.done"
fi
osts=$(seq -s, 0 $((stripes - 1)))
setfattr -n user.lustre_fake.fsname -v benchfs "$src"
setfattr -n user.lustre_fake.osts -v "0-$((stripes - 1))" "$src"
for ((i = 0; i < files; i++)); do
  setfattr -n user.lustre_fake.lov -v "count=$stripes size=1048576 ost=$osts" "$src/data/f$i"
done

mnt=$base/mnt
mkdir -p -- "$mnt"
lfs_pid=
cleanup() {
  "$H" down > /dev/null 2>&1 || true
  if [ -n "$lfs_pid" ]; then
    fusermount3 -u "$mnt" 2> /dev/null || umount -l "$mnt" 2> /dev/null || true
    kill "$lfs_pid" 2> /dev/null || true
    wait "$lfs_pid" 2> /dev/null || true
  fi
  rm -rf -- "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$LFS" -f --delay-us=150 --ost-bw="$bw" --stats -o allow_other "$src" "$mnt" 2> "$OUT/latencyfs.err" &
lfs_pid=$!
for ((i = 0; i < 100; i++)); do mountpoint -q "$mnt" && break; sleep 0.1; done
mountpoint -q "$mnt" || die "latencyfs did not mount (see $OUT/latencyfs.err)"

W=$base/backend
printf '#!/bin/sh\nPHPC_LIBLUSTREAPI=%s\nexport PHPC_LIBLUSTREAPI\nexec %s "$@"\n' "$base/fake/liblustreapi.so" \
  "$ROOT/bin/podheitor-hpc-backend" > "$W"
chmod 755 "$W"
"$H" clean > /dev/null 2>&1 || true
"$H" up >&2

lines=$OUT/lines.txt
: > "$lines"
val() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p" "$2" | head -n 1; }
run_job() { # label parallel_reads
  local label=$1 pr=$2 out id
  out=$OUT/${label// /_}.txt
  "$H" backup-plugin "podheitor-hpc:path=$mnt/data;mode=lustre;backend=$W;parallel_reads=$pr" Full \
    > "$out" 2> "$out.err" || warn "$label: job did not end OK"
  id=$(val JobId "$out")
  "$H" joblog "$id" > "$OUT/${label// /_}.log" 2> /dev/null || true
  local par
  par=$(grep -c "large file(s) read in parallel" "$OUT/${label// /_}.log" || true)
  printf '%s jobid=%s status=%s bytes=%s wall_s=%s fd_active_s=%s MB_per_s=%s fd_cpu_s=%s sd_cpu_s=%s backend_cpu_s=%s backend_rss_kB=%s parallel_line=%s\n' \
    "$label" "$id" "$(sed -n 's/^JobStatus=\([A-Za-z]\).*/\1/p' "$out")" "$(val JobBytes "$out")" "$(val Wall_s "$out")" \
    "$(val FD_active_s "$out")" "$(awk -v b="$(val JobBytes "$out")" -v s="$(val FD_active_s "$out")" 'BEGIN{printf "%.1f", (s > 0 ? b / 1e6 / s : 0)}')" \
    "$(sed -n 's/^CPU_s fd=\([0-9.]*\).*/\1/p' "$out")" "$(sed -n 's/^CPU_s .* sd=\([0-9.]*\).*/\1/p' "$out")" \
    "$(sed -n 's/^CPU_s .* backend=\([0-9.]*\).*/\1/p' "$out")" "$(val Backend_peak_RSS_kB "$out")" "$par"
}
for ((r = 1; r <= runs; r++)); do
  if [ $((r % 2)) = 1 ]; then order=(auto no); else order=(no auto); fi
  for pr in "${order[@]}"; do
    if [ "$pr" = auto ]; then set=stripe; else set=sequential; fi
    run_job "run=$r set=$set" "$pr" | tee -a "$lines"
  done
done

col() { grep "^run=.* set=$1 " "$lines" | grep -o " $2=[0-9.]*" | cut -d= -f2; }
spread() { col "$1" "$2" | paste -sd/ -; }
{
  echo
  echo "$files files x $size MiB, $stripes stripes of 1 MiB on $stripes OSTs at $bw MB/s each (latencyfs --ost-bw, --delay-us=150); $runs rounds; $(nproc) CPUs; Bacula ${PHPC_BACULA:-9.6}"
  echo
  echo "| reads | FD-active MB/s (median; runs) | job wall s (median; runs) | CPU s fd / sd / backend (medians) | backend peak RSS MiB (max) |"
  echo "|---|---|---|---|---|"
  for s in stripe sequential; do
    echo "| $s | $(col $s MB_per_s | median) ($(spread $s MB_per_s)) | $(col $s wall_s | median) ($(spread $s wall_s)) | $(col $s fd_cpu_s | median) / $(col $s sd_cpu_s | median) / $(col $s backend_cpu_s | median) | $(col $s backend_rss_kB | sort -n | tail -n 1 | awk '{printf "%.0f", $1 / 1024}') |"
  done
  echo
  awk -v a="$(col stripe MB_per_s | median)" -v b="$(col sequential MB_per_s | median)" -v c="$(col stripe wall_s | median)" \
      -v d="$(col sequential wall_s | median)" 'BEGIN{
    printf "stripe-aware / sequential (medians): MB/s %.2fx, job wall %.2fx (target >= 3.5x)\n", (b > 0 ? a / b : 0), (c > 0 ? d / c : 0) }'
} | tee "$OUT/summary.md"
