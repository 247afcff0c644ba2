#!/usr/bin/env bash
# CephFS rctime Incremental vs POSIX-walk Incremental, in the same run, through real Bacula, over the same tree on
# the real CephFS of scripts/lib/ceph-lab.sh (docs/ceph.md §7).
#
#   scripts/bench-cephfs.sh [--files N] [--per-dir P] [--changes C] [--subtrees S] [--runs R] [--accurate yes|no]
#
# Set-up: a private CephFS lab and Bacula (own state, ports), a tree of N files (scripts/mktree.py: ~P per leaf
# directory, small files of up to 512 bytes: the lab's OSD keeps data in RAM), older than the Fulls' Since minus
# the margin; then two Fulls: the walk's FileSet (mode=posix) and the rctime one (mode=cephfs; rctime_margin=10).
# Each round (default 3): C changes (default 0.1 % of N) in S subtrees (default 3): half new files, half appended
# to; the script waits until rctime has propagated to the tree's root; then the two Incrementals (Accurate by
# default), their order alternating. Per job: wall clock (queued .. terminated), FD-active time, the walk's time
# and statx calls (the backend's summary line), rctime reads, directories pruned, files saved. Prints one line per
# job and a markdown table of medians with the ratios walk / rctime. Everything it started is stopped at the end.
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-cephfs), PHPC_{DIR,FD,SD}_PORT (19481-19483),
# PHPC_CEPH_MON_PORT (19700), PHPC_SKIP_BUILD=1, OUT (raw outputs).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-cephfs
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-cephfs}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19481} PHPC_FD_PORT=${PHPC_FD_PORT:-19482} PHPC_SD_PORT=${PHPC_SD_PORT:-19483}
export PHPC_CEPH_STATE=$PHPC_STATE/ceph-lab PHPC_CEPH_MON_PORT=${PHPC_CEPH_MON_PORT:-19700}
H=$ROOT/scripts/lib/bacula-harness.sh
LAB=$ROOT/scripts/lib/ceph-lab.sh

files=50000 perdir=40 changes='' subtrees=3 runs=3 accurate=yes margin=10
while [ $# -gt 0 ]; do
  case $1 in
    --files) files=$2; shift 2;;
    --per-dir) perdir=$2; shift 2;;
    --changes) changes=$2; shift 2;;
    --subtrees) subtrees=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --accurate) accurate=$2; shift 2;;
    -h|--help) sed -n '2,17p' "$0"; exit 0;;
    *) echo "bench-cephfs: unknown argument $1" >&2; exit 2;;
  esac
done
changes=${changes:-$(( files / 1000 > 0 ? files / 1000 : 1 ))}
for v in "$files" "$perdir" "$changes" "$subtrees" "$runs"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "bench-cephfs: --files/--per-dir/--changes/--subtrees/--runs: positive integers" >&2; exit 2; }
done
case $accurate in yes|no) ;; *) echo "bench-cephfs: --accurate yes|no" >&2; exit 2;; esac
is_root || die "run as root (ceph-fuse mounts, bacula-fd runs as root)"
ensure_state_dir "$PHPC_STATE"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
OUT=${OUT:-$PHPC_STATE/bench-cephfs-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
base=$ROOT/build/bench-cephfs-$PHPC_FD_PORT
rm -rf -- "$base"
install -d -m 700 -- "$base" "$base/state"

cleanup() {
  "$H" down > /dev/null 2>&1 || true
  "$LAB" down > /dev/null 2>&1 || warn "ceph-lab.sh down failed (see $PHPC_CEPH_STATE/log)"
  rm -rf -- "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$H" clean > /dev/null 2>&1 || true
"$H" up >&2
"$LAB" up >&2
M=$("$LAB" mnt)
T=$M/bench
info "making $files files in $T..."
t0=$EPOCHREALTIME
python3 "$ROOT/scripts/mktree.py" -n "$files" --per-dir "$perdir" --big 0 --max-small 512 --symlinks 0 --hardlinks 0 \
  --seed 7 "$T" > "$OUT/mktree.json"
entries=$(find "$T" | wc -l)
dirs=$(find "$T" -type d | wc -l)
info "tree: $entries entries ($dirs directories) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}') s"
sleep $((margin + 2))   # the tree older than the Fulls' Since minus the margin

walk_ps="podheitor-hpc:path=$T;mode=posix"
rct_ps="podheitor-hpc:path=$T;mode=cephfs;rctime_margin=$margin;state_dir=$base/state"
lines=$OUT/lines.txt
: > "$lines"
num() { grep -o "$1" "$2" | head -n 1 | grep -o '[0-9][0-9,.]*' | head -n 1 | tr -d ,; }
run_job() { # label plugin-string level -> one line
  local label=$1 ps=$2 level=$3 out t0 t1 id log
  out=$OUT/$label.txt
  t0=$EPOCHREALTIME
  "$H" backup-plugin "$ps" "$level" Accurate=$accurate > "$out" 2> "$out.err" || warn "$label: job did not end OK"
  t1=$EPOCHREALTIME
  id=$(sed -n 's/^JobId=\([0-9]*\).*/\1/p' "$out" | head -1)
  log=$OUT/$label.log
  "$H" joblog "$id" > "$log" 2>/dev/null || true
  awk -v l="$label" -v a="$t0" -v b="$t1" -v id="$id" \
      -v st="$(sed -n 's/.*JobStatus=\([A-Za-z]\).*/\1/p' "$out" | head -1)" \
      -v f="$(sed -n 's/^JobFiles=\([0-9]*\).*/\1/p;s/.* JobFiles=\([0-9]*\).*/\1/p' "$out" | head -1)" \
      -v fd="$(sed -n 's/.*FD_active_s=\([0-9.]*\).*/\1/p' "$out" | head -1)" \
      -v w="$(num 'entries in [0-9.]* s' "$log")" -v x="$(num '[0-9,]* statx' "$log")" \
      -v r="$(num '[0-9,]* rctime reads' "$log")" -v p="$(num 'cephfs: [0-9,]* directories pruned' "$log")" 'BEGIN{
    printf "%s jobid=%s status=%s wall_s=%.2f fd_active_s=%s walk_s=%s files=%s statx=%s rctime_reads=%s pruned=%s\n",
      l, id, st, b - a, fd, w, f, (x == "" ? 0 : x), (r == "" ? 0 : r), (p == "" ? 0 : p) }'
}

run_job "full-walk" "$walk_ps" Full | tee -a "$lines"
run_job "full-rctime" "$rct_ps" Full | tee -a "$lines"
mapfile -t leaves < <(find "$T" -mindepth 3 -type d | LC_ALL=C sort | awk -v n="$subtrees" 'NR % 97 == 1' | head -n "$subtrees")
[ ${#leaves[@]} -gt 0 ] || die "no leaf directories found in $T"
for ((r = 1; r <= runs; r++)); do
  sleep 1.1
  for ((i = 0; i < changes; i++)); do
    d=${leaves[$((i % ${#leaves[@]}))]}
    if [ $((i % 2)) = 0 ]; then printf 'new %s %s\n' "$r" "$i" > "$d/bench-new-$r-$i"
    else f=$(find "$d" -maxdepth 1 -type f | LC_ALL=C sort | sed -n "$(( (i / 2) % 20 + 1 ))p"); printf 'more %s\n' "$r" >> "${f:-$d/bench-app}"; fi
  done
  want=$(for d in "${leaves[@]}"; do stat -c %.9Z -- "$d" | tr -d .; done | sort -n | tail -n 1)   # the last change
  t0=$SECONDS
  until [ "$(getfattr --absolute-names --only-values -n ceph.dir.rctime -- "$T" 2>/dev/null | tr -d .)" -ge "$want" ] 2>/dev/null; do
    [ $((SECONDS - t0)) -lt 90 ] || die "rctime of $T did not reach the changes in 90 s"
    sleep 0.5
  done
  info "round $r: $changes changes in ${#leaves[@]} subtrees; rctime at the root after $((SECONDS - t0)) s"
  if [ $((r % 2)) = 1 ]; then order=(walk rctime); else order=(rctime walk); fi
  for k in "${order[@]}"; do
    if [ "$k" = walk ]; then ps=$walk_ps; else ps=$rct_ps; fi
    run_job "run=$r set=$k" "$ps" Incremental | tee -a "$lines"
  done
done

col() { grep "^run=.* set=$1 " "$lines" | grep -o " $2=[0-9.]*" | cut -d= -f2; }
spread() { col "$1" "$2" | paste -sd/ -; }
{
  echo
  echo "tree: $entries entries ($dirs directories) on ceph-fuse (Ceph $(ceph --version | awk '{print $3}')); $changes changes per round in ${#leaves[@]} subtrees; $runs rounds; Accurate=$accurate; $(nproc) CPUs"
  echo
  echo "| Incremental | wall s (median; runs) | FD active s | walk s (median; runs) | statx | rctime reads | metadata calls | directories pruned | files saved |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for s in walk rctime; do
    x=$(col $s statx | median); rr=$(col $s rctime_reads | median)
    echo "| $s | $(col $s wall_s | median) ($(spread $s wall_s)) | $(col $s fd_active_s | median) | $(col $s walk_s | median) ($(spread $s walk_s)) | $x | $rr | $(awk -v a="$x" -v b="$rr" 'BEGIN{print a+b}') | $(col $s pruned | median) | $(col $s files | median) |"
  done
  echo
  awk -v a="$(col walk wall_s | median)" -v b="$(col rctime wall_s | median)" -v c="$(col walk walk_s | median)" \
      -v d="$(col rctime walk_s | median)" -v e="$(col walk statx | median)" -v f="$(col rctime statx | median)" \
      -v g="$(col rctime rctime_reads | median)" -v h="$(col walk fd_active_s | median)" -v i="$(col rctime fd_active_s | median)" 'BEGIN{
    printf "walk / rctime (medians): metadata calls %.1fx (statx %.1fx), walk time %.1fx, FD active %.2fx, job wall %.2fx\n",
      (f + g > 0 ? e / (f + g) : 0), (f > 0 ? e / f : 0), (d > 0 ? c / d : 0), (i > 0 ? h / i : 0), (b > 0 ? a / b : 0) }'
} | tee "$OUT/summary.md"
