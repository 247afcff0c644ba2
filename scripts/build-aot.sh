#!/usr/bin/env bash
# Builds the AOT caches (JDK 25, JEP 483/514/515) of the two Java launchers, each from one training run with
# -XX:AOTCacheOutput:
#   backend.aot  a backup and an estimate of a small generated tree through scripts/backend-session.py
#   cli.aot      `podheitor-hpc walk` of the same tree
#
#   scripts/build-aot.sh            checkout: bin/* -> build/backend.aot, build/cli.aot   (called by scripts/build.sh)
#   scripts/build-aot.sh PREFIX     install:  PREFIX/bin/* -> PREFIX/lib/*.aot             (called by scripts/install.sh)
#
# A cache is only valid for the exact class path it was trained with, so an install gets its own. The launchers
# add -XX:AOTCache=... when the file exists; absent or stale, the JVM runs without it and prints nothing.
# Skipped with a message on a JDK < 25.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -ge 1 ]; then
  top=$(cd "$1" && pwd); outdir=$top/lib; java_home_file=$top/java.home
else
  top=$ROOT; outdir=$ROOT/build; java_home_file=$ROOT/build/java.home
fi
java_home=$(head -n 1 "$java_home_file")
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

# a launcher turned into a training script: its own java command line plus -XX:AOTCacheOutput
training_copy() { # launcher main-class out script
  sed -e "s|^    $2|    -XX:AOTCacheOutput=$3 $2|" \
      -e "s|^self=.*|self=$1|" \
      -e "s|^aot_cache=.*|aot_cache=|" \
      -e "s|^cli_aot=.*|cli_aot=|" \
      "$1" > "$4"
  grep -q -- "-XX:AOTCacheOutput" "$4" || { echo "build-aot: cannot find the java command line in $1" >&2; exit 1; }
  chmod +x "$4"
}

out=$outdir/backend.aot
rm -f "$out" "$out.tmp"
training_copy "$top/bin/podheitor-hpc-backend" io.podheitor.hpc.backend.BackendMain "$out.tmp" "$work/train-backend.sh"
# One session: each run of the training copy writes the whole cache anew (the last run's classes win), so this is
# the backup's, whose classes cover an estimate's; a second, estimate session after it had replaced it with one
# that lacked the data path's classes (they were loaded from the jars in every backup)
python3 "$ROOT/scripts/backend-session.py" --backend "$work/train-backend.sh" "$work/tree" >/dev/null
[ -s "$out.tmp" ] || { echo "build-aot: the backend training run wrote no cache" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "build-aot: $out ($(du -h "$out" | cut -f1))" >&2

out=$outdir/cli.aot
rm -f "$out" "$out.tmp"
training_copy "$top/bin/podheitor-hpc" io.podheitor.hpc.cli.PodheitorCli "$out.tmp" "$work/train-cli.sh"
"$work/train-cli.sh" walk "$work/tree" >/dev/null
[ -s "$out.tmp" ] || { echo "build-aot: the CLI training run wrote no cache" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "build-aot: $out ($(du -h "$out" | cut -f1))" >&2
