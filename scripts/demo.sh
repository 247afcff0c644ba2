#!/usr/bin/env bash
# podheitor-hpc demo (run as root, no arguments, no input):
#   install the dependencies and build; start a private Bacula (Director + SD +
#   FD on 127.0.0.1, SQLite catalog, File device) under /tmp/podheitor-hpc-demo;
#   generate a sample tree; back it up through the plugin; restore it into a
#   scratch directory; verify it (content + metadata, byte-exact names); check
#   catalog-vs-find parity; print a summary; stop the daemons.
#
# env: PHPC_STATE=/tmp/podheitor-hpc-demo (must be root's own directory, or not exist
#      yet: scripts/lib/common.sh ensure_state_dir)  DEMO_FILES=20000  KEEP_RUNNING=1 (leave
#      the daemons up)  PHPC_SKIP_DEPS=1 (skip install-deps)  PHPC_SKIP_BUILD=1
#      PHPC_DIR_PORT/PHPC_FD_PORT/PHPC_SD_PORT (19101/19102/19103)
# /etc/bacula and the system's bacula services are not touched.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
PHPC_PROG=demo.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-demo}
H=$ROOT/scripts/lib/bacula-harness.sh
NFILES=${DEMO_FILES:-20000}
TREE=$PHPC_STATE/sample-tree
DEST=$PHPC_STATE/restore
OUT=$PHPC_STATE/demo
started=0

step() { echo; echo "==== $*"; }

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if [ $started = 1 ]; then
    if [ "${KEEP_RUNNING:-0}" = 1 ]; then
      echo "demo: KEEP_RUNNING=1: daemons left running. Console: PHPC_STATE=$PHPC_STATE $H console; stop: PHPC_STATE=$PHPC_STATE $H down"
    else
      "$H" down 2>&1 | sed 's/^/  /' || true
    fi
  fi
  [ $rc = 0 ] || echo "demo: FAILED (exit $rc); logs: $OUT, $PHPC_STATE/log" >&2
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

main() {
  is_root || die "run as root (the private bacula-fd runs as root)"
  ensure_state_dir "$PHPC_STATE"   # root's own, or refused (before building or starting anything)
  step "build"
  if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then
    "$ROOT/scripts/build.sh"
  fi
  local so=${PHPC_PLUGIN_SO:-$ROOT/shim-c/build/podheitor-hpc-fd.so}
  [ -f "$so" ] || die "$so missing: the build did not produce the plugin"

  step "private Bacula under $PHPC_STATE"
  started=1
  "$H" up
  "$H" plugin-loaded || die "bacula-fd did not load the plugin (see $PHPC_STATE/log/bacula-fd.out)"
  mkdir -p "$OUT"

  step "sample tree: $NFILES files in $TREE"
  if [ -f "$TREE.done" ] && [ "$(cat "$TREE.done")" = "$NFILES" ] && [ -d "$TREE" ]; then
    echo "reusing $TREE"
  else
    rm -rf -- "$TREE" "$TREE.done"
    # no extra hard-link names: hard links across restores are a later issue
    python3 "$ROOT/scripts/mktree.py" -n "$NFILES" "$TREE"
    echo "$NFILES" > "$TREE.done"
  fi

  step "backup through the plugin: Plugin = \"podheitor-hpc:path=$TREE\""
  local rc=0
  "$H" backup-plugin "podheitor-hpc:path=$TREE" Full > "$OUT/backup.txt" || rc=$?
  cat "$OUT/backup.txt"
  [ $rc = 0 ] || die "backup failed (job log: $(sed -n 's/^Log=//p' "$OUT/backup.txt"))"
  local jobid
  jobid=$(sed -n 's/^JobId=//p' "$OUT/backup.txt")

  step "restore JobId $jobid into $DEST"
  rm -rf -- "$DEST"
  "$H" restore "$jobid" "$DEST" > "$OUT/restore.txt" || rc=$?
  cat "$OUT/restore.txt"
  [ $rc = 0 ] || die "restore failed (job log: $(sed -n 's/^Log=//p' "$OUT/restore.txt"))"

  step "verify $DEST$TREE against $TREE"
  local vrc=0 prc=0
  python3 "$ROOT/scripts/verify.py" "$TREE" "$DEST" > "$OUT/verify.txt" 2>&1 || vrc=$?
  cat "$OUT/verify.txt"
  step "catalog parity (list files jobid=$jobid vs find)"
  "$H" parity "$jobid" "$TREE" > "$OUT/parity.txt" 2>&1 || prc=$?
  cat "$OUT/parity.txt"

  g() { sed -n "s/^$1=\\([^ ]*\\).*/\\1/p" "$OUT/backup.txt" | head -1; }
  step "summary"
  cat <<EOT
  plugin string   podheitor-hpc:path=$TREE
  backup          JobId $jobid: JobStatus=$(g JobStatus), $(g JobFiles) files, $(g JobBytes) bytes
  speed           $(g Files_per_s) files/s, $(g MB_per_s) MB/s (Elapsed $(g Elapsed_s) s; FD active $(g FD_active_s) s: $(g FD_files_per_s) files/s)
  backend memory  peak RSS $(g Backend_peak_RSS_kB) kB
  restore         JobId $(sed -n 's/^JobId=//p' "$OUT/restore.txt"): JobStatus=$(sed -n 's/^JobStatus=\([^ ]*\).*/\1/p' "$OUT/restore.txt")
  verify          $(sed -n 's/^verify: \([A-Z]*\) .*/\1/p' "$OUT/verify.txt" | head -1) ($(sed -n 's/.*| //p' "$OUT/verify.txt" | head -1))
  parity          $(awk '{print $NF}' "$OUT/parity.txt" | tail -1) ($(sed -n 's/.* \(catalog=[0-9]* find=[0-9]*\).*/\1/p' "$OUT/parity.txt"))
  logs            $OUT/ (backup/restore/verify/parity), job logs $PHPC_STATE/log/job-N.log, daemons $PHPC_STATE/log/
EOT
  [ $vrc = 0 ] || die "verify FAILED"
  [ $prc = 0 ] || die "catalog parity FAILED"
  echo
  echo "demo: OK"
}

main "$@"
