#!/usr/bin/env bash
# bench-relay.sh -- the Slurm relay's cost (docs/slurm.md §4, STRESS_RESULTS.md): the same backup session of the
# same tree, driven by scripts/backend-session.py (the shim's side of PTCOMM, no Bacula), with the scan
#   direct     in the backend itself, frames on its stdout pipe (scheduler=local)
#   unix       in a Slurm job on node1, relayed over AF_UNIX
#   tcp        in a Slurm job on node1, relayed over TCP on 127.0.0.1 (relay=tcp)
#   tcp-lz4    the same with relay_lz4=yes
#   node2      in a Slurm job on node2 (its own network namespace), relayed over TCP across the veth pair
#   node2-lz4  the same with relay_lz4=yes
#   tcp-lz4java, node2-lz4java  tcp-lz4, node2-lz4 with lz4-java's pure-Java codec at both ends (PHPC_LIBLZ4=none
#              in the submitter's environment, which the worker inherits: sbatch --export=ALL); the others use
#              liblz4 through FFM when the host has it (the worker's output file names the codec)
# Each run: page cache warmed, then one session; MB/s = data bytes / stream time (first FILE record -> final F;
# the submission, scheduling and worker start are reported apart as start_s). Runs alternate the variants.
#
#   scripts/bench-relay.sh [--runs N] [--variants LIST] [--data-tree DIR] [--files-tree DIR] [--big-mib M]
#                          [--small N] [--keep-lab]
#
# --data-tree: a tree for MB/s (default: made once under the state directory: 4 files of --big-mib MiB and 2,000
# small ones); --files-tree: a tree for files/s (default: --small small files, 40,000). Needs root (the lab), a
# built checkout (scripts/build.sh), slurm-wlm and munge (scripts/install-deps.sh). The lab's own state, ports,
# namespace and addresses: PHPC_SLURM_STATE (default /tmp/podheitor-hpc-bench-relay/slurm), ports 19480-19482,
# namespace phpc-bench-n2, 10.253.0.0/30. Prints one line per run and a summary table (median, min-max, ratio to
# direct of the same run set).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
PHPC_PROG=bench-relay.sh

runs=5 variants="direct unix tcp tcp-lz4 node2 node2-lz4" data_tree='' files_tree='' big_mib=256 small=40000 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift;;
    --variants) variants=$2; shift;;
    --data-tree) data_tree=$2; shift;;
    --files-tree) files_tree=$2; shift;;
    --big-mib) big_mib=$2; shift;;
    --small) small=$2; shift;;
    --keep-lab) keep=1;;
    -h|--help) sed -n '2,25p' "$0"; exit 0;;
    *) die "unknown argument $1";;
  esac
  shift
done
is_root || die "needs root (the Slurm lab)"
[ -f "$ROOT/hpc-backend/target/hpc-backend.jar" ] || die "build first: scripts/build.sh"

BENCH=${PHPC_BENCH_RELAY_STATE:-/tmp/podheitor-hpc-bench-relay}
export PHPC_SLURM_STATE=${PHPC_SLURM_STATE:-$BENCH/slurm} PHPC_SLURM_NODE2=auto
export PHPC_SLURM_CTLD_PORT=19480 PHPC_SLURM_SLURMD_PORT=19481 PHPC_SLURM_SLURMD2_PORT=19482
export PHPC_SLURM_NETNS=phpc-bench-n2 PHPC_SLURM_VETH=phpcbr PHPC_SLURM_NET=10.253.0
LAB=$ROOT/scripts/lib/slurm-lab.sh
mkdir -p "$BENCH"

lab_down() { [ $keep = 1 ] || "$LAB" down > /dev/null 2>&1 || warn "slurm-lab.sh down failed (see $PHPC_SLURM_STATE/log)"; }
trap lab_down EXIT
"$LAB" up > "$BENCH/lab-up.log" 2>&1 || { cat "$BENCH/lab-up.log" >&2; die "the Slurm lab did not start"; }
have_node2=0
"$LAB" nodes | grep -q '^node2 ' && have_node2=1

if [ -z "$data_tree" ]; then
  data_tree=$BENCH/data-$big_mib
  if [ ! -e "$data_tree.done" ]; then
    rm -rf -- "$data_tree"
    python3 "$ROOT/scripts/mktree.py" -n 2000 --big 0 --hardlinks 0 --symlinks 0 --seed 31 "$data_tree" > /dev/null
    # 4 large files of numbers as text (a simulation's output): LZ4 has something to do (~2:1), unlike random bytes
    python3 - "$data_tree" "$big_mib" <<'PY'
import os, random, sys
rnd = random.Random(31)
block = "".join(f"{rnd.uniform(-1e3, 1e3):.6e},{rnd.randint(0, 99999)}\n" for _ in range(150000)).encode()[: 4 << 20]
for i in range(4):
    with open(os.path.join(sys.argv[1], f"result{i}.csv"), "wb") as f:
        for k in range((int(sys.argv[2]) << 20) // len(block)):
            f.write(b"%016d" % k + block[16:])
PY
    touch "$data_tree.done"
  fi
fi
if [ -z "$files_tree" ]; then
  files_tree=$BENCH/files-$small
  if [ ! -e "$files_tree.done" ]; then
    rm -rf -- "$files_tree"
    python3 "$ROOT/scripts/mktree.py" -n "$small" --big 0 --max-small 512 --hardlinks 0 --symlinks 0 --seed 32 \
      "$files_tree" > /dev/null
    touch "$files_tree.done"
  fi
fi

common="scheduler=slurm;slurm_conf=$PHPC_SLURM_STATE/etc/slurm.conf;partition=backup;time=30m;mem=1G"
common+=";slurm_output=$BENCH/worker-%j.out"
keys_of() { # variant -> the --param arguments, one per line
  case "$1" in
    direct) ;;
    unix) printf '%s\n' "$common;sbatch_args=--nodelist=node1;relay=unix";;
    tcp) printf '%s\n' "$common;sbatch_args=--nodelist=node1;relay=tcp;relay_bind=127.0.0.1";;
    tcp-lz4) printf '%s\n' "$common;sbatch_args=--nodelist=node1;relay=tcp;relay_bind=127.0.0.1;relay_lz4=yes";;
    node2) printf '%s\n' "$common;sbatch_args=--nodelist=node2;relay=tcp;relay_bind=$PHPC_SLURM_NET.1";;
    node2-lz4) printf '%s\n' "$common;sbatch_args=--nodelist=node2;relay=tcp;relay_bind=$PHPC_SLURM_NET.1;relay_lz4=yes";;
    tcp-lz4java) keys_of tcp-lz4;;
    node2-lz4java) keys_of node2-lz4;;
    *) die "unknown variant $1";;
  esac | tr ';' '\n'
}

warm() { find "$1" -type f -print0 | xargs -0 cat > /dev/null; }

results=$BENCH/results.tsv
: > "$results"
one() { # kind(data|files) tree variant run
  local kind=$1 tree=$2 v=$3 r=$4 line
  local -a args=()
  local k
  while IFS= read -r k; do [ -n "$k" ] && args+=(--param "$k"); done < <(keys_of "$v")
  warm "$tree"
  local codec=()
  case $v in *-lz4java) codec=(PHPC_LIBLZ4=none);; esac
  line=$(env "${codec[@]}" python3 "$ROOT/scripts/backend-session.py" "${args[@]}" "$tree") \
    || die "session $kind/$v/$r failed"
  local files data stream start
  files=$(sed -n 's/.* files=\([0-9]*\).*/\1/p' <<< "$line")
  data=$(sed -n 's/.* data_bytes=\([0-9]*\).*/\1/p' <<< "$line")
  stream=$(sed -n 's/.* stream_s=\([0-9.]*\).*/\1/p' <<< "$line")
  start=$(sed -n 's/.* start_to_first_record_s=\([0-9.]*\).*/\1/p' <<< "$line")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$v" "$r" "$files" "$data" "$stream" "$start" >> "$results"
  printf '%-5s %-9s run %s: %7s files %12s bytes, stream %7ss, start %6ss\n' "$kind" "$v" "$r" "$files" "$data" "$stream" "$start"
}

for ((r = 1; r <= runs; r++)); do
  for v in $variants; do
    case $v in node2*) [ $have_node2 = 1 ] || continue;; esac
    one data "$data_tree" "$v" "$r"
    one files "$files_tree" "$v" "$r"
  done
done

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(date -u +%F)"
echo "data tree $data_tree ($(du -sm "$data_tree" | cut -f1) MiB), files tree $files_tree; $runs runs each, alternating"
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, v, r, files, data, stream, start = line.split("\t")
    rows[(kind, v)].append((int(files), int(data), float(stream), float(start)))
def med(xs): return statistics.median(xs)
order = []
for kind, v in rows:
    if v not in order: order.append(v)
print(f"{'variant':10} {'MB/s median (min-max)':>26} {'vs direct':>9} {'files/s median (min-max)':>28} {'vs direct':>9} {'start s':>8}")
base = {}
for v in order:
    d = rows.get(("data", v), []); f = rows.get(("files", v), [])
    mbs = [x[1] / 1e6 / x[2] for x in d if x[2] > 0]
    fps = [x[0] / x[2] for x in f if x[2] > 0]
    starts = [x[3] for x in d + f]
    if v == "direct":
        base = {"mbs": med(mbs) if mbs else None, "fps": med(fps) if fps else None}
    rm = f"{med(mbs) / base['mbs']:.2f}" if mbs and base.get("mbs") else "-"
    rf = f"{med(fps) / base['fps']:.2f}" if fps and base.get("fps") else "-"
    ms = f"{med(mbs):.0f} ({min(mbs):.0f}-{max(mbs):.0f})" if mbs else "-"
    fs = f"{med(fps):.0f} ({min(fps):.0f}-{max(fps):.0f})" if fps else "-"
    print(f"{v:10} {ms:>26} {rm:>9} {fs:>28} {rf:>9} {med(starts):8.2f}")
PY
