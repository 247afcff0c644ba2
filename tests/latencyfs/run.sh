#!/usr/bin/env bash
# latencyfs integration test (part of scripts/test.sh; ~10 s): builds latencyfs, mounts it (synthetic and
# passthrough), walks it with `podheitor-hpc walk`, compares with find, reads data, unmounts and checks that
# nothing stays mounted. Needs root and /dev/fuse. Last line: "N passed, N failed".
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
P=0 F=0
ok() { P=$((P + 1)); echo "ok   $*"; }
bad() { F=$((F + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
  echo "latencyfs: /dev/fuse or fusermount3 missing"; echo "0 passed, 1 failed"; exit 1
fi
make -s -C "$ROOT/latencyfs" || { echo "0 passed, 1 failed"; exit 1; }
export LATENCYFS_BASE=/tmp/podheitor-hpc-latencyfs-test
W=$ROOT/scripts/with-latencyfs.sh

# synthetic: 2000 files, 100 per directory -> 20 directories (root included) -> 2020 entries
out=$("$W" --delay-us=50 --synthetic=2000 -- sh -c \
  '"$1" walk --threads 16 "$LATENCYFS_MNT" | sed -n "s/^entries: *//p"; find "$LATENCYFS_MNT" | wc -l;
   stat -c %s "$LATENCYFS_MNT/d1/f5"; head -c 100000000 "$LATENCYFS_MNT/d1/f5" | wc -c;
   findmnt -n -o FSTYPE "$LATENCYFS_MNT"' _ "$ROOT/bin/podheitor-hpc" 2>&1) || true
set -- $out
check "synthetic: walker counts 2020 entries (got ${1:-none})" [ "${1:-}" = 2020 ]
check "synthetic: find counts 2020 entries (got ${2:-none})" [ "${2:-}" = 2020 ]
check "synthetic: a file reads exactly its size (${3:-?} = ${4:-?})" [ -n "${3:-}" -a "${3:-}" = "${4:-}" ]
check "synthetic: type fuse.latencyfs (got ${5:-none})" [ "${5:-}" = fuse.latencyfs ]

# passthrough of a small real tree
src=$(mktemp -d /tmp/podheitor-hpc-lfs-src.XXXXXX)
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/a/b"; echo hello > "$src/a/f"; ln -s f "$src/a/l"; : > "$src/a/b/e"
out=$("$W" --delay-us=50 --source "$src" -- sh -c \
  '"$1" walk "$LATENCYFS_MNT" | sed -n "s/^entries: *//p"; cat "$LATENCYFS_MNT/a/f"; readlink "$LATENCYFS_MNT/a/l"' \
  _ "$ROOT/bin/podheitor-hpc" 2>&1) || true
set -- $out
check "passthrough: walker counts 6 entries (got ${1:-none})" [ "${1:-}" = 6 ]
check "passthrough: content and symlink target" [ "${2:-}" = hello -a "${3:-}" = f ]

# nothing left mounted, mount points removed
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "unmounted on exit ($left left)" [ "$left" = 0 ]
check "mount points removed" [ -z "$(ls -A "$LATENCYFS_BASE" 2>/dev/null)" ]
# a failing command still unmounts
"$W" --synthetic=10 -- false && bad "exit status of the command is passed on" || ok "exit status of the command is passed on"
left=$(findmnt -rn -t fuse.latencyfs -o TARGET | grep -c "^$LATENCYFS_BASE/" || true)
check "unmounted after a failing command" [ "$left" = 0 ]
echo "$P passed, $F failed"
[ "$F" = 0 ]
