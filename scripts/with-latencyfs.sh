#!/usr/bin/env bash
# Mounts latencyfs (the metadata-latency emulator, latencyfs/README.md), runs one command against it, and
# always unmounts it again (also on error or Ctrl-C).
#
#   scripts/with-latencyfs.sh [latencyfs options] (--source DIR | --synthetic=FILES | --rw-target DIR) -- CMD [ARGS...]
#
# --source DIR: a read-only view of DIR; --synthetic=FILES: a generated tree; --rw-target DIR: a writable view of
# DIR (latencyfs --rw: everything done on the mount lands in DIR, e.g. a slow restore target).
# Every argument of CMD equal to or containing @MNT@ gets the mount point substituted; LATENCYFS_MNT is exported
# too. latencyfs options: --delay-us=N or --delay-us N (default 150), --delay-data (data requests too), --threads=N,
# --workers=N, --files-per-dir=N, --dir-fanout=N.
# The mount point is a fresh directory under ${LATENCYFS_BASE:-/tmp/podheitor-hpc-latencyfs} (which must be root's
# own directory, or not exist yet: scripts/lib/common.sh ensure_state_dir). Exit status: CMD's.
# Builds latencyfs/build/latencyfs with make when it is missing (LATENCYFS_BIN=PATH: use that binary instead, e.g.
# latencyfs/build/latencyfs-asan). Needs /dev/fuse and fusermount3 (run as root).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${LATENCYFS_BIN:-$ROOT/latencyfs/build/latencyfs}
PHPC_PROG=with-latencyfs
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"

lfs_args=() source='' rw_target='' synthetic=0
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break;;
    --source) source=${2:?--source needs a directory}; shift 2;;
    --source=*) source=${1#--source=}; shift;;
    --rw-target) rw_target=${2:?--rw-target needs a directory}; shift 2;;
    --rw-target=*) rw_target=${1#--rw-target=}; shift;;
    --delay-us) lfs_args+=("--delay-us=${2:?--delay-us needs a number}"); shift 2;;
    --synthetic=*) synthetic=1; lfs_args+=("$1"); shift;;
    --delay-us=*|--threads=*|--workers=*|--files-per-dir=*|--dir-fanout=*|--delay-data) lfs_args+=("$1"); shift;;
    -h|--help) sed -n '2,15p' "$0"; exit 0;;
    *) echo "with-latencyfs: unknown argument $1 (did you forget --?)" >&2; exit 2;;
  esac
done
[ $# -gt 0 ] || { echo "with-latencyfs: no command given" >&2; exit 2; }
kinds=$synthetic
[ -z "$source" ] || kinds=$((kinds + 1))
[ -z "$rw_target" ] || kinds=$((kinds + 1))
[ "$kinds" = 1 ] || { echo "with-latencyfs: give one of --source DIR, --synthetic=FILES, --rw-target DIR" >&2; exit 2; }
[ -z "$rw_target" ] || [ -d "$rw_target" ] || { echo "with-latencyfs: --rw-target $rw_target is not a directory" >&2; exit 2; }
base=${LATENCYFS_BASE:-/tmp/podheitor-hpc-latencyfs}
ensure_state_dir "$base"   # root mounts below it: root's own directory, or refused
if [ -n "${LATENCYFS_BIN:-}" ]; then
  [ -x "$BIN" ] || { echo "with-latencyfs: LATENCYFS_BIN=$BIN is not executable" >&2; exit 2; }
else
  [ -x "$BIN" ] && [ "$BIN" -nt "$ROOT/latencyfs/latencyfs.c" ] || make -s -C "$ROOT/latencyfs" >&2
fi

mnt=$(mktemp -d "$base/mnt.XXXXXX")
mounted=0
cleanup() {
  if [ "$mounted" = 1 ]; then
    fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  fi
  rmdir "$mnt" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$rw_target" ]; then
  "$BIN" --rw "${lfs_args[@]}" "$rw_target" "$mnt"
elif [ -n "$source" ]; then
  "$BIN" "${lfs_args[@]}" "$source" "$mnt"
else
  "$BIN" "${lfs_args[@]}" "$mnt"
fi
mounted=1
for _ in $(seq 100); do
  if findmnt -n "$mnt" >/dev/null 2>&1; then break; fi
  sleep 0.05
done
findmnt -n "$mnt" >/dev/null 2>&1 || { echo "with-latencyfs: $mnt did not appear in the mount table" >&2; exit 1; }

export LATENCYFS_MNT=$mnt
cmd=()
for a in "$@"; do cmd+=("${a//@MNT@/$mnt}"); done
set +e
"${cmd[@]}"
rc=$?
set -e
exit "$rc"
