#!/usr/bin/env bash
# Builds the backend's AOT cache (JDK 25, JEP 483/514): one training session (a backup of a small generated
# tree through scripts/backend-session.py) with -XX:AOTCacheOutput, written to build/backend.aot.
# bin/podheitor-hpc-backend uses it when present (-XX:AOTCache; silently ignored when absent or stale).
# Called by scripts/build.sh; skipped with a warning on a JDK < 25.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
java_home=$(head -n 1 "$ROOT/build/java.home")
major=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${major%%.*}" -lt 25 ] 2>/dev/null; then
  echo "build-aot: Java $major < 25, no AOT cache" >&2
  exit 0
fi
work=$(mktemp -d /tmp/podheitor-hpc-aot.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/a/b"
for i in $(seq 1 200); do printf 'file %s\n' "$i" > "$work/tree/a/f$i"; done
head -c 300000 /dev/urandom > "$work/tree/a/b/big"
ln -s f1 "$work/tree/a/link"
ln "$work/tree/a/f2" "$work/tree/a/b/hard"
out=$ROOT/build/backend.aot
rm -f "$out" "$out.tmp"
# the launcher's own java command line, plus the training output
sed -e "s|^    io.podheitor.hpc.backend.BackendMain|    -XX:AOTCacheOutput=$out.tmp io.podheitor.hpc.backend.BackendMain|" \
    -e "s|^self=.*|self=$ROOT/bin/podheitor-hpc-backend|" \
    -e "s|^aot_cache=.*|aot_cache=|" \
    "$ROOT/bin/podheitor-hpc-backend" > "$work/train.sh"
chmod +x "$work/train.sh"
python3 "$ROOT/scripts/backend-session.py" --backend "$work/train.sh" "$work/tree" >/dev/null
python3 "$ROOT/scripts/backend-session.py" --backend "$work/train.sh" --estimate "$work/tree" >/dev/null || true
[ -s "$out.tmp" ] || { echo "build-aot: the training run wrote no cache" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "build-aot: $out ($(du -h "$out" | cut -f1))" >&2
