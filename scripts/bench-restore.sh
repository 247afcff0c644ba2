#!/usr/bin/env bash
# Restore speed, in the same run, through real Bacula: the plugin's restore of a plugin backup against stock
# bacula-fd's restore of a stock backup of the same tree, and optionally against another build of the plugin
# restoring the very same plugin backup (old vs new code).
#
#   scripts/bench-restore.sh --tree PATH [--runs N] [--compare-so OTHER.so] [--verify] [--dest DIR]
#
# One plugin Full and one stock Full backup of PATH, then --runs rounds (default 3); each round restores, into a
# fresh directory and in this order: the plugin backup with this build's .so, the stock backup with stock
# bacula-fd, and (with --compare-so) the plugin backup again with OTHER.so (bacula-fd is restarted with that
# plugin for it, and back). The page cache is dropped of nothing; each restore writes a new tree (the previous
# one is removed before, outside the timing). Prints one line per restore and a markdown table of medians:
# files/s by the job report and over FD-active time, the backend's peak RSS (VmHWM of bacula-fd's descendants) per
# run, and the ratios plugin/stock and plugin/OTHER. With
# --verify the last restore of each kind is checked against PATH (scripts/verify.py). --dest DIR: restore into
# DIR/restore-dest instead of PHPC_STATE/restore-dest (e.g. a latencyfs --rw mount: scripts/with-latencyfs.sh
# --rw-target BACKING -- scripts/bench-restore.sh ... --dest @MNT@).
#
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-restore), PHPC_{DIR,FD,SD}_PORT (19451-19453),
# PHPC_SKIP_BUILD=1, PHPC_KEEP_VOLUMES=1 (keep the volumes and catalog, removed at the end otherwise), OUT (raw
# outputs). PHPC_STATE must be root's own or not exist yet.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-restore
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-restore}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19451} PHPC_FD_PORT=${PHPC_FD_PORT:-19452} PHPC_SD_PORT=${PHPC_SD_PORT:-19453}
H=$ROOT/scripts/lib/bacula-harness.sh

tree='' runs=3 other='' verify=0 destdir=
while [ $# -gt 0 ]; do
  case $1 in
    --tree) tree=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --compare-so) other=$2; shift 2;;
    --verify) verify=1; shift;;
    --dest) destdir=$2; shift 2;;
    -h|--help) sed -n '2,21p' "$0"; exit 0;;
    *) echo "bench-restore: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$tree" ] && [ -d "$tree" ] || { echo "bench-restore: --tree PATH (an existing directory) is required" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-restore: --runs must be a positive integer" >&2; exit 2; }
[ -z "$other" ] || [ -f "$other" ] || { echo "bench-restore: --compare-so $other: no such file" >&2; exit 2; }
ensure_state_dir "$PHPC_STATE"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
tree=$(cd "$tree" && pwd)
OUT=${OUT:-$PHPC_STATE/bench-restore-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
this_so=${PHPC_PLUGIN_SO:-$ROOT/shim-c/build/podheitor-hpc-fd.so}

# at the end the daemons stop and the two Full backups' volumes go with the catalog that names them (1M files:
# ~4 GB each), unless PHPC_KEEP_VOLUMES=1
trap 'if [ "${PHPC_KEEP_VOLUMES:-0}" = 1 ]; then "$H" down; else "$H" reset-catalog; fi >/dev/null 2>&1 || true' EXIT
PHPC_PLUGIN_SO=$this_so "$H" up >&2
field() { sed -n "s/^$1=\\([^ ]*\\).*/\\1/p" "$2" | head -1; }

"$H" backup-plugin "podheitor-hpc:path=$tree" Full > "$OUT/backup-plugin.txt" 2>&1 || true
"$H" backup "$tree" Full > "$OUT/backup-stock.txt" 2>&1 || true
pj=$(field JobId "$OUT/backup-plugin.txt") sj=$(field JobId "$OUT/backup-stock.txt")
for f in plugin stock; do
  case "$(field JobStatus "$OUT/backup-$f.txt")" in T|W) ;; *) echo "bench-restore: the $f backup failed (see $OUT/backup-$f.txt)" >&2; exit 1;; esac
done
echo "backups: plugin JobId $pj, stock JobId $sj, $(field JobFiles "$OUT/backup-plugin.txt") files" >&2

kinds=(plugin stock)
[ -z "$other" ] || kinds+=(other)
rows=$OUT/rows.tsv
printf 'kind\trun\tjobid\tstatus\tfiles\telapsed_s\tfd_active_s\tfiles_per_s\tfd_files_per_s\tbackend_rss_kb\n' > "$rows"
dest=${destdir:-$PHPC_STATE}/restore-dest
for ((r = 1; r <= runs; r++)); do
  for kind in "${kinds[@]}"; do
    rm -rf -- "$dest"
    sync
    out=$OUT/$kind-$r.txt
    case $kind in
      plugin) "$H" restore "$pj" "$dest" > "$out" 2>&1 || true;;
      stock) "$H" restore "$sj" "$dest" > "$out" 2>&1 || true;;
      other)
        PHPC_PLUGIN_SO=$other "$H" up >&2
        "$H" restore "$pj" "$dest" > "$out" 2>&1 || true
        PHPC_PLUGIN_SO=$this_so "$H" up >&2;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$r" "$(field JobId "$out")" "$(field JobStatus "$out")" \
      "$(field JobFiles "$out")" "$(field Elapsed_s "$out")" "$(field FD_active_s "$out")" \
      "$(field Files_per_s "$out")" "$(field FD_files_per_s "$out")" "$(field Backend_peak_RSS_kB "$out")" >> "$rows"
    tail -n 1 "$rows" | tr '\t' ' ' >&2
    if [ "$verify" = 1 ] && [ "$r" = "$runs" ]; then
      python3 "$ROOT/scripts/verify.py" "$tree" "$dest" >&2 || echo "bench-restore: verify FAILED for $kind" >&2
    fi
  done
done
rm -rf -- "$dest"

python3 - "$rows" "$tree" "$runs" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def vals(kind, col):
    return [float(r[col]) for r in rows if r["kind"] == kind and r["status"] in ("T", "W") and r[col] not in ("", "-")]
def med(kind, col):
    v = vals(kind, col)
    return statistics.median(v) if v else float("nan")
kinds = [k for k in ("plugin", "stock", "other") if any(r["kind"] == k for r in rows)]
print(f"tree={sys.argv[2]} runs={sys.argv[3]} files={rows[0]['files']}")
print("| restore | files/s (report) | runs | files/s (FD active) | runs | elapsed s | backend peak RSS MiB |")
print("|---|---:|---|---:|---|---:|---|")
for k in kinds:
    print(f"| {k} | {med(k, 'files_per_s'):,.0f} | {' / '.join(f'{v:,.0f}' for v in vals(k, 'files_per_s'))} "
          f"| {med(k, 'fd_files_per_s'):,.0f} | {' / '.join(f'{v:,.0f}' for v in vals(k, 'fd_files_per_s'))} "
          f"| {med(k, 'elapsed_s'):,.0f} | {' / '.join(f'{v / 1024:,.0f}' for v in vals(k, 'backend_rss_kb') if v > 0) or '-'} |")
for a, b in (("plugin", "stock"), ("plugin", "other")):
    if a in kinds and b in kinds:
        print(f"| {a}/{b} | {med(a, 'files_per_s') / med(b, 'files_per_s'):.2f}x | | "
              f"{med(a, 'fd_files_per_s') / med(b, 'fd_files_per_s'):.2f}x | | | |")
bad = [r for r in rows if r["status"] not in ("T", "W")]
if bad:
    print(f"FAILED JOBS: {[(r['kind'], r['run'], r['jobid'], r['status']) for r in bad]}")
    sys.exit(1)
EOF
echo "raw outputs: $OUT" >&2
