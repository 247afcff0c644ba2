#!/usr/bin/env bash
# Stress test at one million files (NOT part of scripts/test.sh: it takes tens of minutes on 2 cores and
# ~6 GB of disk for the tree, plus the volumes).
#
#   scripts/stress-1m-files.sh [--files N] [--runs N] [--plugin-opts 'k=v;...']
#
# 1. generates (once, kept in $TREES, default /tmp/podheitor-hpc-trees) a tree of N files (default 1,000,000)
#    with scripts/mktree.py: ~100 files per leaf directory, 3% empty, 1 B..8 KiB, 10 big files of 1-64 MiB in
#    big/, symlinks and hard links;
# 2. runs scripts/bench-backup.sh on it (plugin Full vs stock bacula-fd Full through real Bacula, page cache
#    warmed before each job, --runs each; default 1): files/s, MB/s, ratios, backend peak RSS;
# 3. restores the last plugin backup, verifies every file (scripts/verify.py: content, mode, owner, mtime,
#    links) and checks catalog-vs-find parity (0 missing, 0 extra), through bench-backup.sh --verify.
# Exit status 0 only if every job succeeded and the verification and parity checks passed.
# Environment: as scripts/bench-backup.sh (PHPC_STATE, PHPC_{DIR,FD,SD}_PORT, PHPC_SKIP_BUILD, TREES, OUT).
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
files=1000000 runs=1 popts=()
while [ $# -gt 0 ]; do
  case $1 in
    --files) files=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --plugin-opts) popts=(--plugin-opts "$2"); shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "stress-1m-files: unknown argument $1" >&2; exit 2;;
  esac
done
start=$SECONDS
echo "stress-1m-files: $files files, $runs run(s) of each job kind" >&2
"$ROOT/scripts/bench-backup.sh" --files "$files" --runs "$runs" "${popts[@]}" --verify
echo "stress-1m-files: passed in $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s" >&2
