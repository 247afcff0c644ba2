#!/usr/bin/env bash
# Plugin backup vs stock bacula-fd backup of the same tree, in the same run, through real Bacula.
#
#   scripts/bench-backup.sh [--files N | --tree PATH] [--runs N] [--plugin-opts 'k=v;...'] [--alternate]
#                           [--prefault-mib M] [--volumes-in-ram] [--warmup] [--verify] [--json]
#
# Each repetition warms the page cache (tar | cat) and runs a plugin Full backup, then warms again and runs a
# stock-FD Full backup (File = PATH) of the same tree: stock bacula-fd drops the page cache of every file it
# reads (fadvise DONTNEED), so without the re-warm the second job would read cold data. It prints one line per
# job, then a markdown table of medians and the plugin/stock ratios. With --verify the last plugin backup is
# restored, verified (scripts/verify.py) and its catalog compared with find. --alternate: the stock job first in
# every even round. --warmup: one plugin job before the rounds, not recorded (the first round then finds the
# machine as the later ones do). --prefault-mib M: before each job (after the warm-up), M MiB of memory are written and freed, so
# the pages bacula-sd writes its volume into are ones the guest has just used (on a VM whose host reclaims idle guest
# memory, the first touch of a reclaimed page is a host fault: it made bacula-sd's CPU per 2 GB volume vary 3-4x
# between identical jobs; STRESS_RESULTS.md, "Large files: the bytes path"). --volumes-in-ram (Bacula 9.6): bacula-sd's
# volumes go to a tmpfs mounted on PHPC_STATE/storage (2x the tree + 512 MiB, unmounted at the end), and every volume is
# deleted (catalog and file) before each job (with --verify not before the run's last job, so the last plugin backup
# can be restored), so many rounds of a large tree fit and neither job waits for the disk's write-back. With --json
# the result is one JSON object on stdout (medians, ratios, backend peak RSS) and the table goes to stderr.
#
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench), PHPC_{DIR,FD,SD}_PORT (19401-19403), PHPC_SKIP_BUILD=1,
# PHPC_KEEP_VOLUMES=1 (keep the Bacula volumes, removed at the end otherwise), PHPC_BACULA=15 (Bacula 15.0.3 from
# the private root, scripts/mkroot.sh; the tree is bound into it),
# TREES (where generated trees are kept, default /tmp/podheitor-hpc-trees), OUT (raw outputs). PHPC_STATE and
# TREES must be root's own directories, or not exist yet (scripts/lib/common.sh ensure_state_dir).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-backup
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19401} PHPC_FD_PORT=${PHPC_FD_PORT:-19402} PHPC_SD_PORT=${PHPC_SD_PORT:-19403}
H=$ROOT/scripts/lib/bacula-harness.sh

files=100000 tree='' runs=3 popts='' verify=0 json=0 alternate=0 prefault=0 ramvols=0 warmup=0
while [ $# -gt 0 ]; do
  case $1 in
    --files) files=$2; shift 2;;
    --tree) tree=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --plugin-opts) popts=$2; shift 2;;
    --verify) verify=1; shift;;
    --alternate) alternate=1; shift;;
    --prefault-mib) prefault=$2; shift 2;;
    --volumes-in-ram) ramvols=1; shift;;
    --warmup) warmup=1; shift;;
    --json) json=1; shift;;
    -h|--help) sed -n '2,26p' "$0"; exit 0;;
    *) echo "bench-backup: unknown argument $1" >&2; exit 2;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-backup: --runs must be a positive integer" >&2; exit 2; }
[[ "$prefault" =~ ^[0-9]+$ ]] || { echo "bench-backup: --prefault-mib must be a number" >&2; exit 2; }
if [ "$ramvols" = 1 ] && [ "${PHPC_BACULA:-9.6}" != 9.6 ]; then
  echo "bench-backup: --volumes-in-ram is for Bacula 9.6 (Bacula 15's daemons see the state directory through a bind mount)" >&2
  exit 2
fi
# the state directory, and where generated trees are kept: root's own, or refused (before anything runs)
ensure_state_dir "$PHPC_STATE"
[ -n "$tree" ] || ensure_state_dir "${TREES:-/tmp/podheitor-hpc-trees}"

if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
if [ -z "$tree" ]; then
  tree=${TREES:-/tmp/podheitor-hpc-trees}/t$files
  if [ ! -d "$tree" ]; then
    echo "bench-backup: generating $files files in $tree" >&2
    python3 "$ROOT/scripts/mktree.py" -n "$files" "$tree" >&2
  fi
fi
tree=$(cd "$tree" && pwd)
# Bacula 15 runs chrooted in a private root (scripts/lib/bacula-rootfs.sh): the tree must be visible inside
if [ "${PHPC_BACULA:-9.6}" != 9.6 ]; then export PHPC_ROOTFS_BINDS=${PHPC_ROOTFS_BINDS:+$PHPC_ROOTFS_BINDS:}$tree; fi
OUT=${OUT:-$PHPC_STATE/bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

# at the end the daemons stop and the volumes are removed with the catalog that names them (a 1M-file Full is
# ~4 GB; repeated runs filled the disk), unless PHPC_KEEP_VOLUMES=1; the next run starts with a new catalog
# with --volumes-in-ram the tmpfs is unmounted (after the daemons stop) before the volumes' directory is removed
ramfs=$PHPC_STATE/storage
finish() {
  "$H" down >/dev/null 2>&1 || true
  if [ "$ramvols" = 1 ] && mountpoint -q "$ramfs"; then umount "$ramfs" || echo "bench-backup: cannot unmount $ramfs" >&2; fi
  if [ "${PHPC_KEEP_VOLUMES:-0}" != 1 ]; then "$H" reset-catalog >/dev/null 2>&1 || true; fi
}
trap finish EXIT
if [ "$ramvols" = 1 ]; then
  "$H" down >/dev/null 2>&1 || true
  mountpoint -q "$ramfs" && { echo "bench-backup: $ramfs is already a mount point" >&2; exit 1; }
  mkdir -p "$ramfs"
  treemib=$(( $(du -sbx "$tree" | cut -f1) >> 20 ))
  mount -t tmpfs -o "size=$(( 2 * treemib + 512 ))m,mode=0700" podheitor-hpc-bench-volumes "$ramfs"
fi
"$H" up >&2
# --volumes-in-ram: every volume deleted from the catalog and from the tmpfs
drop_volumes() {
  local v
  for v in $("$H" console 'list volumes' | grep -o 'PhpcVol-[0-9]*' | sort -u); do
    "$H" console "delete volume=$v yes" >/dev/null
    rm -f -- "$ramfs/$v"
  done
}

plugin="podheitor-hpc:path=$tree${popts:+;$popts}"
warm() {
  tar -cf - "$tree" 2>/dev/null | cat > /dev/null; sync
  if [ "$prefault" -gt 0 ]; then
    python3 -c 'import sys; b = bytearray(int(sys.argv[1]) << 20); b[::4096] = b"\x01" * len(b[::4096])' "$prefault"
  fi
}
field() { sed -n "s/^$1=\\([^ ]*\\).*/\\1/p" "$2" | head -1; }

rows=$OUT/rows.tsv
printf 'kind\trun\tjobid\tstatus\tfiles\tbytes\telapsed_s\tfd_active_s\tfiles_per_s\tMB_per_s\tfd_files_per_s\tfd_MB_per_s\tbackend_peak_rss_kB\tfd_cpu_s\tsd_cpu_s\tbackend_cpu_s\tfd_stream_s\tfd_stream_lead_s\n' > "$rows"
cpu() { sed -n "s/^CPU_s .*$1=\([0-9.]*\).*/\1/p" "$2" | head -1; }
if [ "$warmup" = 1 ]; then
  [ "$ramvols" = 0 ] || drop_volumes
  warm
  "$H" backup-plugin "$plugin" Full > "$OUT/plugin-warmup.txt" 2>&1 || true
  echo "warm-up plugin job $(field JobId "$OUT/plugin-warmup.txt"): $(field JobStatus "$OUT/plugin-warmup.txt") (not recorded)" >&2
fi
for ((r = 1; r <= runs; r++)); do
  order=(plugin stock)
  if [ "$alternate" = 1 ] && [ $((r % 2)) = 0 ]; then order=(stock plugin); fi
  for kind in "${order[@]}"; do
    # at most two jobs' volumes at a time: the tmpfs holds 2x the tree; the run's last job keeps the one before it
    # (with --verify, the last plugin job's volume when the stock job runs last)
    if [ "$ramvols" = 1 ] && { [ "$verify" = 0 ] || [ "$r" -lt "$runs" ] || [ "$kind" = "${order[0]}" ]; }; then drop_volumes; fi
    warm
    out=$OUT/$kind-$r.txt
    if [ "$kind" = plugin ]; then "$H" backup-plugin "$plugin" Full > "$out" 2>&1 || true
    else "$H" backup "$tree" Full > "$out" 2>&1 || true; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$r" \
      "$(field JobId "$out")" "$(field JobStatus "$out")" "$(field JobFiles "$out")" "$(field JobBytes "$out")" \
      "$(field Elapsed_s "$out")" "$(field FD_active_s "$out")" "$(field Files_per_s "$out")" \
      "$(field MB_per_s "$out")" "$(field FD_files_per_s "$out")" "$(field FD_MB_per_s "$out")" \
      "$(field Backend_peak_RSS_kB "$out")" "$(cpu fd "$out")" "$(cpu sd "$out")" "$(cpu backend "$out")" \
      "$(field FD_stream_s "$out")" "$(field FD_stream_lead_s "$out")" >> "$rows"
    tail -n 1 "$rows" | tr '\t' ' ' >&2
  done
done

# medians per kind, and the ratios (plugin / stock)
python3 - "$rows" "$tree" "$runs" "$json" <<'EOF'
import csv, json, statistics, sys
as_json = sys.argv[4] == "1"
if as_json:
    real_stdout, sys.stdout = sys.stdout, sys.stderr
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def med(kind, col):
    v = [float(r[col]) for r in rows if r["kind"] == kind and r["status"] in ("T", "W") and r[col] not in ("", "-")]
    return statistics.median(v) if v else float("nan")
# a job that did not end T/W, or saved no file of a non-empty tree (e.g. a tree the FD cannot see), is a failure
bad = [r for r in rows if r["status"] not in ("T", "W") or r["files"] in ("", "0")]
for r in bad:
    r["status"] = r["status"] + "(no files)" if r["status"] in ("T", "W") else r["status"]
cols = [("files_per_s", "files/s (report)"), ("MB_per_s", "MB/s (report)"), ("fd_active_s", "FD active s"),
        ("fd_files_per_s", "files/s (FD active)"), ("fd_MB_per_s", "MB/s (FD active)")]
print(f"tree={sys.argv[2]} runs={sys.argv[3]} files={rows[0]['files']} bytes={rows[0]['bytes']}")
print("| | " + " | ".join(h for _, h in cols) + " | backend peak RSS |")
print("|---|" + "---:|" * (len(cols) + 1))
for kind in ("plugin", "stock"):
    rss = med(kind, "backend_peak_rss_kB") if kind == "plugin" else float("nan")
    print(f"| {kind} | " + " | ".join(f"{med(kind, c):,.2f}" for c, _ in cols)
          + (f" | {rss / 1024:.0f} MiB |" if rss == rss else " | - |"))
def ratio(c):
    a, b = (med("stock", c), med("plugin", c)) if c == "fd_active_s" else (med("plugin", c), med("stock", c))
    return a / b if b == b and b != 0 else float("nan")
print("| plugin/stock | " + " | ".join(f"{ratio(c):.2f}x" for c, _ in cols) + " | |")
def cpus(kind):
    return " / ".join(f"{med(kind, c):.2f}" for c in ("fd_cpu_s", "sd_cpu_s", "backend_cpu_s"))
print(f"CPU s (medians) fd / sd / backend: plugin {cpus('plugin')}; stock {cpus('stock')}")
pairs = {}
for r in rows:
    if r["status"] in ("T", "W") and r["fd_MB_per_s"] not in ("", "-"):
        pairs.setdefault(r["run"], {})[r["kind"]] = float(r["fd_MB_per_s"])
per = [p["plugin"] / p["stock"] for p in pairs.values() if "plugin" in p and "stock" in p and p["stock"] > 0]
if per:
    print("per-round MB/s (FD active) plugin/stock: " + " ".join(f"{x:.2f}" for x in per)
          + f" (median {statistics.median(per):.2f}x)")
# the stream: the samples in which bacula-fd wrote >= 1 MiB (file data flowing); the lead: its first write .. then
for r in rows:
    s = float(r["fd_stream_s"]) if r.get("fd_stream_s") not in (None, "", "-") else 0.0
    r["stream_MB_per_s"] = f"{int(r['bytes'] or 0) / 1e6 / s:.2f}" if s > 0 else "-"
stream = {k: med(k, "stream_MB_per_s") for k in ("plugin", "stock")}
lead = {k: med(k, "fd_stream_lead_s") for k in ("plugin", "stock")}
if stream["plugin"] == stream["plugin"] and stream["stock"] == stream["stock"]:
    print(f"stream MB/s (bacula-fd writing >= 1 MiB per sample, medians): plugin {stream['plugin']:.2f} / stock "
          f"{stream['stock']:.2f} = {stream['plugin'] / stream['stock']:.2f}x; first FD write -> stream: plugin "
          f"{lead['plugin']:.2f} s, stock {lead['stock']:.2f} s")
if as_json:
    def num(v):
        return None if v != v else round(v, 3)
    res = {"tree": sys.argv[2], "runs": int(sys.argv[3]), "files": int(rows[0]["files"] or 0),
           "bytes": int(rows[0]["bytes"] or 0),
           "plugin": {c: num(med("plugin", c)) for c, _ in cols}, "stock": {c: num(med("stock", c)) for c, _ in cols},
           "backend_peak_rss_mib": num(med("plugin", "backend_peak_rss_kB") / 1024),
           "failed_jobs": [{"kind": r["kind"], "run": int(r["run"]), "jobid": r["jobid"], "status": r["status"]} for r in bad]}
    res["ratio"] = {c: num(ratio(c)) for c, _ in cols}
    res["stream_MB_per_s"] = {k: num(v) for k, v in stream.items()}
    res["stream_lead_s"] = {k: num(v) for k, v in lead.items()}
    real_stdout.write(json.dumps(res) + "\n")
if bad:
    print(f"FAILED JOBS: {[(r['kind'], r['run'], r['jobid'], r['status']) for r in bad]}")
    sys.exit(1)
EOF

if [ "$verify" = 1 ]; then
  last=$(awk -F'\t' '$1 == "plugin" && ($4 == "T" || $4 == "W") {j = $3} END {print j}' "$rows")
  dest=$PHPC_STATE/restore-verify
  rm -rf "$dest"
  "$H" restore "$last" "$dest" > "$OUT/restore.txt" 2>&1
  grep -E '^(JobStatus|JobFiles)=' "$OUT/restore.txt" >&2
  python3 "$ROOT/scripts/verify.py" "$tree" "$dest"
  "$H" parity "$last" "$tree" --sql
  rm -rf "$dest"
fi
echo "raw outputs: $OUT" >&2
