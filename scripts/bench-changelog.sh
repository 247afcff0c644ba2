#!/usr/bin/env bash
# Changelog Incremental vs walk Incremental, in the same run, through real Bacula, over the same tree on an
# emulated Lustre (the fake lfs/lctl of hpc-changelog/src/test/c driven by tests/integration/fake_lustre.py;
# docs/changelog.md §4).
#
#   scripts/bench-changelog.sh --tree PATH [--changes N] [--runs R] [--churn-dir NAME] [--scan DIR] [--flood M]
#
# Set-up: every entry of PATH gets a FID, a changelog consumer is registered, round 0 of the churn is made, then
# two Fulls (Accurate): the walk's FileSet (mode=posix) and the changelog's (mode=lustre;changelog_user=cl1).
# Each round (default 3): N changes under PATH/NAME (default bench-churn: 60 % new files, 10 % each appended to,
# chmod'ed, renamed and removed; fake_lustre.py churn), then the two Accurate Incrementals, their order alternating.
# Per job: wall clock (harness: queued .. terminated), JobFiles, FD-active time, the backend's peak RSS, statx
# calls. Prints one line per job and a markdown table of medians with the ratio walk / changelog. --flood M: then
# M more records (11CLOSE, cycling over the last round's new files) and one more changelog Incremental: the
# driver's memory with M records (it keeps one entry per distinct change, not per record or per namespace entry).
# The churn directory is removed at the end (PATH is otherwise left as it was, apart from the directories'
# times). Latency emulator: run it on a writable latencyfs view, the fake MDT answering from the backing directory
# (--scan: the MDS does not go through the client's mount), e.g.
#   scripts/with-latencyfs.sh --delay-us=150 --rw-target TREE -- scripts/bench-changelog.sh --tree @MNT@ --scan TREE
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-changelog), PHPC_{DIR,FD,SD}_PORT (19471-19473),
# PHPC_SKIP_BUILD=1, OUT (raw outputs).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-changelog
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-changelog}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19471} PHPC_FD_PORT=${PHPC_FD_PORT:-19472} PHPC_SD_PORT=${PHPC_SD_PORT:-19473}
H=$ROOT/scripts/lib/bacula-harness.sh
FAKE=$ROOT/tests/integration/fake_lustre.py

tree='' changes=1000 runs=3 churn=bench-churn scan='' flood=0
while [ $# -gt 0 ]; do
  case $1 in
    --tree) tree=$2; shift 2;;
    --changes) changes=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --churn-dir) churn=$2; shift 2;;
    --scan) scan=$2; shift 2;;
    --flood) flood=$2; shift 2;;
    -h|--help) sed -n '2,23p' "$0"; exit 0;;
    *) echo "bench-changelog: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$tree" ] && [ -d "$tree" ] || { echo "bench-changelog: --tree PATH (an existing directory) is required" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] && [[ "$changes" =~ ^[1-9][0-9]*$ ]] || { echo "bench-changelog: --runs/--changes: positive integers" >&2; exit 2; }
[[ "$churn" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bench-changelog: --churn-dir: a plain name" >&2; exit 2; }
tree=$(cd "$tree" && pwd)
[ ! -e "$tree/$churn" ] || { echo "bench-changelog: $tree/$churn exists already (a previous run's?): remove it first" >&2; exit 2; }
ensure_state_dir "$PHPC_STATE"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
OUT=${OUT:-$PHPC_STATE/bench-changelog-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

# the backend= wrapper must be in directories only root can change (the shim checks every one above it)
base=$ROOT/build/bench-changelog-$PHPC_FD_PORT
rm -rf -- "$base"
install -d -m 700 -- "$base" "$base/state" "$base/bin"
make -s -C "$ROOT/hpc-changelog/src/test/c" O="$base/build" >&2
for t in lfs lctl; do
  printf '#!/bin/sh\nFAKE_CHANGELOG_DIR=%s exec %s/build/bin/%s "$@"\n' "$base/fake" "$base" "$t" > "$base/bin/$t"
  chmod 755 "$base/bin/$t"
done
W=$base/backend
printf '#!/bin/sh\nPATH=%s:$PATH\nexport PATH\nexec %s "$@"\n' "$base/bin" "$ROOT/bin/podheitor-hpc-backend" > "$W"
chmod 755 "$W"
fake() { python3 "$FAKE" "$base/fake" "$@"; }
trap 'rm -rf -- "${scan:-${tree:?}}/$churn" "$base"; "$H" reset-catalog >/dev/null 2>&1 || true' EXIT

info "registering every entry of $tree with a FID (the fake MDT)..."
t0=$EPOCHREALTIME
fake init "$tree" benchfs ${scan:+"$scan"}
FAKE_CHANGELOG_DIR=$base/fake "$base/build/bin/lctl" --device benchfs-MDT0000 changelog_register -n > /dev/null
fake churn "$churn" 0 "$changes"
info "fake MDT ready in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}') s"

"$H" reset-catalog >/dev/null 2>&1 || true
"$H" up >&2
walk_ps="podheitor-hpc:path=$tree;backend=$W"
log_ps="podheitor-hpc:path=$tree;mode=lustre;changelog_user=cl1;state_dir=$base/state;backend=$W"
lines=$OUT/lines.txt
: > "$lines"

run_job() { # label plugin-string level -> one line
  local label=$1 ps=$2 level=$3 out t0 t1 id statx
  out=$OUT/$label.txt
  t0=$EPOCHREALTIME
  "$H" backup-plugin "$ps" "$level" Accurate=yes > "$out" 2> "$out.err" || warn "$label: job did not end OK"
  t1=$EPOCHREALTIME
  id=$(sed -n 's/^JobId=\([0-9]*\).*/\1/p' "$out" | head -1)
  "$H" joblog "$id" > "$OUT/$label.log" 2>/dev/null || true
  statx=$(grep -o 'summary: .*' "$OUT/$label.log" | grep -o '[0-9,]* statx' | head -1 | tr -d ', statx')
  awk -v l="$label" -v a="$t0" -v b="$t1" -v f="$(sed -n 's/^JobFiles=\([0-9]*\).*/\1/p;s/.* JobFiles=\([0-9]*\).*/\1/p' "$out" | head -1)" \
      -v fd="$(sed -n 's/.*FD_active_s=\([0-9.]*\).*/\1/p' "$out" | head -1)" \
      -v rss="$(sed -n 's/.*Backend_peak_RSS_kB=\([0-9]*\).*/\1/p' "$out" | head -1)" \
      -v st="$(sed -n 's/.*JobStatus=\([A-Za-z]\).*/\1/p' "$out" | head -1)" -v x="${statx:-0}" -v id="$id" 'BEGIN{
    printf "%s jobid=%s status=%s wall_s=%.2f fd_active_s=%s files=%s statx=%s backend_peak_rss_kB=%s\n", l, id, st, b - a, fd, f, x, rss }'
}

run_job "full-walk" "$walk_ps" Full | tee -a "$lines"
run_job "full-changelog" "$log_ps" Full | tee -a "$lines"
for ((r = 1; r <= runs; r++)); do
  fake churn "$churn" "$r" "$changes"
  if [ $((r % 2)) = 1 ]; then order=(walk changelog); else order=(changelog walk); fi
  for k in "${order[@]}"; do
    if [ "$k" = walk ]; then ps=$walk_ps; else ps=$log_ps; fi
    run_job "run=$r set=$k" "$ps" Incremental | tee -a "$lines"
  done
done

if [ "$flood" -gt 0 ]; then
  fake flood "$churn/r$runs" "$flood"
  run_job "flood=$flood set=changelog" "$log_ps" Incremental | tee -a "$lines"
fi

col() { grep "^run=.* set=$1 " "$lines" | grep -o " $2=[0-9.]*" | cut -d= -f2; }
spread() { col "$1" "$2" | paste -sd/ -; }
{
  echo
  echo "tree $tree; $changes changes per round; $runs rounds; Accurate Incrementals; $(nproc) CPUs"
  echo
  echo "| Incremental | wall s (median; runs) | FD active s (median) | files (median) | statx (median) | backend peak RSS kB (median) |"
  echo "|---|---|---|---|---|---|"
  for s in walk changelog; do
    echo "| $s | $(col $s wall_s | median) ($(spread $s wall_s)) | $(col $s fd_active_s | median) | $(col $s files | median) | $(col $s statx | median) | $(col $s backend_peak_rss_kB | median) |"
  done
  echo
  awk -v a="$(col walk wall_s | median)" -v b="$(col changelog wall_s | median)" -v c="$(col walk fd_active_s | median)" \
      -v d="$(col changelog fd_active_s | median)" 'BEGIN{
    printf "walk / changelog (medians): wall %.2fx, FD active %.2fx\n", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
} | tee "$OUT/summary.md"
