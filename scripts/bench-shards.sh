#!/usr/bin/env bash
# Sharding speed, in the same run, through real Bacula: N concurrent shard jobs (shard=K/N, written by
# 'podheitor-hpc gen-fileset') against one plugin job over the whole tree, same tree, same daemons, same catalog.
#
#   scripts/bench-shards.sh --tree PATH [--shards N] [--runs R] [--catalog pgsql|sqlite]
#                           [--topology per-shard-pool|shared-volume] [--strategy S]
#
# Each round (default 3; the order of the two alternates between rounds) starts from an empty catalog and no
# volumes, then runs, timed by the harness's 'run-jobs': the one job (a gen-fileset job of 1 shard with the
# shard keys taken out, so it has the same FileSet options, Pool kind and Job settings), and the N shard jobs
# queued together. Topologies: per-shard-pool (gen-fileset's default: a Pool per shard, the SD with N Devices in
# an Autochanger, so each shard writes its own Volume) or shared-volume (what a new user tends to write: every
# shard in one Pool, the SD with one Device, so all N jobs append to one Volume). --catalog: pgsql (the default
# here; the harness's private PostgreSQL) or sqlite.
# Per job set: wall clock (harness: queued .. all ended; and the catalog's first StartTime .. last EndTime, 1 s
# resolution), files, bytes, files/s = files / wall, the walks' statx calls (each job's summary line), and CPU:
# the machine's busy CPU seconds over the run (/proc/stat, all processes: FD, backend, SD, Director, catalog)
# and that as a share of (wall x CPUs). Prints one line per run and a markdown table of medians with the
# ratios N shards / one job (wall and statx).
#
# Latency emulator: run it on a latencyfs view of the tree, e.g.
#   scripts/with-latencyfs.sh --delay-us=150 --source TREE -- scripts/bench-shards.sh --tree @MNT@
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-shards), PHPC_{DIR,FD,SD}_PORT (19461-19463),
# PHPC_SKIP_BUILD=1, OUT (raw outputs). The volumes and the catalog are removed at the end of every round.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-shards
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-shards}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19461} PHPC_FD_PORT=${PHPC_FD_PORT:-19462} PHPC_SD_PORT=${PHPC_SD_PORT:-19463}
H=$ROOT/scripts/lib/bacula-harness.sh
CLI=$ROOT/bin/podheitor-hpc

tree='' shards=4 runs=3 catalog=pgsql topology=per-shard-pool strategy=inode-hash
while [ $# -gt 0 ]; do
  case $1 in
    --tree) tree=$2; shift 2;;
    --shards) shards=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --catalog) catalog=$2; shift 2;;
    --topology) topology=$2; shift 2;;
    --strategy) strategy=$2; shift 2;;
    -h|--help) sed -n '2,25p' "$0"; exit 0;;
    *) echo "bench-shards: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$tree" ] && [ -d "$tree" ] || { echo "bench-shards: --tree PATH (an existing directory) is required" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-shards: --runs must be a positive integer" >&2; exit 2; }
[[ "$shards" =~ ^[1-9][0-9]?$ ]] && [ "$shards" -ge 2 ] || { echo "bench-shards: --shards must be 2..99" >&2; exit 2; }
case $catalog in pgsql|sqlite) ;; *) echo "bench-shards: --catalog pgsql|sqlite" >&2; exit 2;; esac
case $topology in per-shard-pool) devices=$shards;; shared-volume) devices=1;;
  *) echo "bench-shards: --topology per-shard-pool|shared-volume" >&2; exit 2;; esac
ensure_state_dir "$PHPC_STATE"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
tree=$(cd "$tree" && pwd)
OUT=${OUT:-$PHPC_STATE/bench-shards-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
export PHPC_CATALOG=$catalog PHPC_DEVICES=$devices
trap '"$H" reset-catalog >/dev/null 2>&1 || true' EXIT

# the Director resources: N shard jobs, and one job over the whole tree with the same settings
conf_dir=$PHPC_STATE/confs
rm -rf -- "$conf_dir"
"$CLI" gen-fileset --path "$tree" --shards "$shards" --strategy "$strategy" --name bshard --client phpc-fd \
  --storage PhpcFile --output "$conf_dir/shards" > "$OUT/gen-shards.txt"
"$CLI" gen-fileset --path "$tree" --shards 1 --name bone --client phpc-fd --storage PhpcFile \
  --output "$conf_dir/one" > "$OUT/gen-one.txt"
sed -i 's/;shard=0\/1;strategy=[a-z-]*"/"/' "$conf_dir/one/podheitor-shards.conf"
grep -q "Plugin = \"podheitor-hpc:path=[^;]*\"$" "$conf_dir/one/podheitor-shards.conf" \
  || die "the one-job FileSet still has shard keys: $(grep Plugin "$conf_dir/one/podheitor-shards.conf")"
if [ "$topology" = shared-volume ]; then
  sed -i 's/^  Pool = "bshard-[0-9]*-pool"$/  Pool = "bshard-0-pool"/' "$conf_dir/shards/podheitor-shards.conf"
  [ "$(grep -c '^  Pool = "bshard-0-pool"$' "$conf_dir/shards/podheitor-shards.conf")" = "$shards" ] \
    || die "shared-volume: not every shard job was moved to one Pool"
fi
shard_jobs=()
for ((k = 0; k < shards; k++)); do shard_jobs+=("bshard-$k"); done

cpu_busy() { # busy CPU jiffies of the machine (everything but idle and iowait)
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat
}
HZ=$(getconf CLK_TCK) NCPU=$(nproc)

# one measured set: run-jobs output + statx + cpu -> one line
measure() { # label job...
  local label=$1; shift
  local c0 c1 out rc=0 ids statx=0 files=0 bytes=0 wall span ok id n
  c0=$(cpu_busy)
  out=$("$H" run-jobs --level Full "$@" 2>>"$OUT/harness.err") || rc=$?
  c1=$(cpu_busy)
  echo "$out" >> "$OUT/run-jobs.txt"
  wall=$(sed -n 's/.* Wall_s=\([0-9.]*\).*/\1/p' <<< "$out")
  span=$(sed -n 's/.* Span_s=\([0-9]*\).*/\1/p' <<< "$out")
  ok=$(sed -n 's/^Jobs=\([0-9]*\) OK=\([0-9]*\).*/\2\/\1/p' <<< "$out")
  overlap=$(sed -n 's/.* Overlap=\([a-z]*\).*/\1/p' <<< "$out")
  ids=$(sed -n 's/^JobId=\([0-9]*\) .*/\1/p' <<< "$out")
  for id in $ids; do
    n=$(sed -n 's/^JobId='"$id"' .* JobFiles=\([0-9]*\) JobBytes=\([0-9]*\) .*/\1 \2/p' <<< "$out")
    files=$((files + ${n% *})); bytes=$((bytes + ${n#* }))
    n=$(grep -o 'summary: .*' "$PHPC_STATE/log/job-$id.log" | grep -o '[0-9,]* statx' | head -1 | tr -d ', statx')
    statx=$((statx + ${n:-0}))
  done
  [ "$rc" = 0 ] || warn "$label: not every job ended OK ($ok)"
  awk -v l="$label" -v w="$wall" -v s="$span" -v f="$files" -v b="$bytes" -v x="$statx" -v c="$((c1 - c0))" \
      -v hz="$HZ" -v nc="$NCPU" -v ok="$ok" -v ov="$overlap" 'BEGIN{
    cpu = c / hz
    printf "%s wall_s=%.2f span_s=%d files=%d bytes=%.0f MiB_per_s=%.1f files_per_s=%.0f statx=%d cpu_s=%.1f cpu_util=%.0f%% ok=%s overlap=%s\n",
      l, w, s, f, b, (w > 0 ? b / w / 1048576 : 0), (w > 0 ? f / w : 0), x, cpu, (w > 0 ? 100 * cpu / (w * nc) : 0), ok, ov }'
}

lines=$OUT/lines.txt
: > "$lines"
info "tree $tree, $shards shards ($strategy), topology $topology ($devices Device(s)), catalog $catalog, $runs rounds; raw: $OUT"
for ((r = 1; r <= runs; r++)); do
  "$H" reset-catalog >/dev/null 2>&1 || true
  "$H" up >/dev/null
  "$H" dir-include "$conf_dir/shards/podheitor-shards.conf" "$conf_dir/one/podheitor-shards.conf" > /dev/null
  if [ $((r % 2)) = 1 ]; then order=(one shards); else order=(shards one); fi
  for what in "${order[@]}"; do
    if [ "$what" = one ]; then
      line=$(measure "run=$r set=one" bone-0)
    else
      line=$(measure "run=$r set=shards" "${shard_jobs[@]}")
    fi
    echo "$line" | tee -a "$lines"
  done
done
"$H" reset-catalog >/dev/null 2>&1 || true

# medians
col() { grep " set=$1 " "$lines" | grep -o " $2=[0-9.]*" | cut -d= -f2; }
spread() { col "$1" "$2" | paste -sd/ -; }
w1=$(col one wall_s | median) wn=$(col shards wall_s | median)
x1=$(col one statx | median) xn=$(col shards statx | median)
{
  echo
  echo "tree $tree; $shards shards ($strategy), topology $topology, catalog $catalog; $runs rounds; $NCPU CPUs"
  echo
  echo "| set | wall s (median; runs) | files/s (median) | MiB/s (median) | statx (median) | CPU s (median; runs) | CPU share of wall x $NCPU CPUs (median) |"
  echo "|---|---|---|---|---|---|---|"
  for s in one shards; do
    echo "| $s | $(col $s wall_s | median) ($(spread $s wall_s)) | $(col $s files_per_s | median) | $(col $s MiB_per_s | median) | $(col $s statx | median) | $(col $s cpu_s | median) ($(spread $s cpu_s)) | $(col $s cpu_util | median)% |"
  done
  echo
  awk -v a="$w1" -v b="$wn" -v x="$x1" -v y="$xn" -v n="$shards" 'BEGIN{
    printf "speed-up %d shards / one job (wall, medians): %.2fx; statx %d shards / one walk: %.3fx\n", n, (b > 0 ? a / b : 0), n, (x > 0 ? y / x : 0) }'
} | tee "$OUT/summary.md"
