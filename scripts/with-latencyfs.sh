#!/usr/bin/env bash
# Mounts latencyfs (the metadata-latency emulator, latencyfs/README.md), runs one command against it, and
# always unmounts it again (also on error or Ctrl-C).
#
#   scripts/with-latencyfs.sh [latencyfs options] (--source DIR | --synthetic=FILES) -- CMD [ARGS...]
#
# Every argument of CMD equal to or containing @MNT@ gets the mount point substituted; LATENCYFS_MNT is exported
# too. latencyfs options: --delay-us=N (default 150), --threads=N, --workers=N, --files-per-dir=N, --dir-fanout=N.
# The mount point is a fresh directory under ${LATENCYFS_BASE:-/tmp/podheitor-hpc-latencyfs} (which must be root's
# own directory, or not exist yet: scripts/lib/common.sh ensure_state_dir). Exit status: CMD's.
# Builds latencyfs/build/latencyfs with make when it is missing. Needs /dev/fuse and fusermount3 (run as root).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/latencyfs/build/latencyfs
PHPC_PROG=with-latencyfs
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"

lfs_args=() source=''
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break;;
    --source) source=$2; shift 2;;
    --source=*) source=${1#--source=}; shift;;
    --delay-us=*|--threads=*|--workers=*|--synthetic=*|--files-per-dir=*|--dir-fanout=*) lfs_args+=("$1"); shift;;
    -h|--help) sed -n '2,11p' "$0"; exit 0;;
    *) echo "with-latencyfs: unknown argument $1 (did you forget --?)" >&2; exit 2;;
  esac
done
[ $# -gt 0 ] || { echo "with-latencyfs: no command given" >&2; exit 2; }
base=${LATENCYFS_BASE:-/tmp/podheitor-hpc-latencyfs}
ensure_state_dir "$base"   # root mounts below it: root's own directory, or refused
[ -x "$BIN" ] && [ "$BIN" -nt "$ROOT/latencyfs/latencyfs.c" ] || make -s -C "$ROOT/latencyfs" >&2

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

if [ -n "$source" ]; then
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
