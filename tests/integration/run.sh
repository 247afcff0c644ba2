#!/usr/bin/env bash
# Integration tests of podheitor-hpc against a private, real Bacula
# (bacula-dir + bacula-sd + bacula-fd on 127.0.0.1, own state dir and ports):
# the host's 9.6 by default, or 15 from a private Debian root with
# PHPC_BACULA=15 PHPC_ROOTFS=DIR (scripts/mkroot.sh; scripts/lib/bacula-rootfs.sh).
#
#   tests/integration/run.sh [-k] [-l] [PATTERN...]
#
#   PATTERN   run only the tests whose function name matches (grep -E)
#   -k        keep the daemons running and the state after the run
#   -l        list the tests and exit
#
# env: IT_STATE=/tmp/podheitor-hpc-it (wiped at the start unless IT_KEEP_STATE=1; must be root's own:
#        ensure_state_dir in scripts/lib/common.sh),
#      IT_DIR_PORT=19201 IT_FD_PORT=19202 IT_SD_PORT=19203, IT_FD2_PORT=FD+5 (second FD, t_restore_options),
#      JOB_TIMEOUT=300 (s per job),
#      PHPC_PLUGIN_SO (default shim-c/build/podheitor-hpc-fd.so),
#      IT_TRUSTED=build/it-trusted-<FD port> (backend= wrappers: the shim runs only a backend that root
#      owns and no one else can write, up to /, which a state directory under /tmp is not; wiped at the
#      start and at the end unless -k),
#      PHPC_BACULA=9.6|15, PHPC_ROOTFS (the harness's version switch; IT_STATE keeps one version's catalog),
#      t_catalog_pgsql.sh's second harness (PHPC_CATALOG=pgsql): PGL_STATE=IT_STATE-pgsql (its parents must be
#      searchable by the user postgres), IT_PG_DIR_PORT/IT_PG_FD_PORT/IT_PG_SD_PORT (default the ports + 10),
#      IT_PG_PG_PORT (the name of its unix socket, .s.PGSQL.N; default IT_PG_DIR_PORT + 4; no TCP)
#
# Every test prints "PASS name", "FAIL name: reason" or, when it cannot run on
# this machine, "SKIP name: reason" (counted as skipped, never as passed). A test
# that prints none of them, or exits non-zero without a FAIL line, is a failure.
# The skipped tests are listed again at the end; the last line is
# "N passed, N failed, N skipped"; the exit status is non-zero when a test failed
# (skips alone do not fail). A trap on EXIT/INT/TERM stops the daemons started
# here (by PID), even on failures, and those of the other harnesses the tests start
# (IT_EXTRA_STATES, which test files append their state directories to).
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PHPC_PROG=integration
# shellcheck source=../../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

export PHPC_STATE=${IT_STATE:-/tmp/podheitor-hpc-it}
export PHPC_DIR_PORT=${IT_DIR_PORT:-19201}
export PHPC_FD_PORT=${IT_FD_PORT:-19202}
export PHPC_SD_PORT=${IT_SD_PORT:-19203}
export PHPC_FD2_PORT=${IT_FD2_PORT:-$((PHPC_FD_PORT + 5))}
export JOB_TIMEOUT=${JOB_TIMEOUT:-300}
IT_STATE=$PHPC_STATE
IT_TRUSTED=${IT_TRUSTED:-$ROOT/build/it-trusted-$PHPC_FD_PORT}
TREES=$IT_STATE/trees
SCRATCH=$IT_STATE/scratch
CTX=$IT_STATE/ctx
TLOG=$IT_STATE/testlogs
H=$ROOT/scripts/lib/bacula-harness.sh

# shellcheck source=lib.sh
. "$HERE/lib.sh"
IT_EXTRA_STATES=()   # state directories of further harnesses the test files start (stopped by cleanup)
for f in "$HERE"/t_*.sh; do
  # shellcheck disable=SC1090
  . "$f"
done

keep=0 list=0
pats=()
while [ $# -gt 0 ]; do
  case "$1" in
    -k) keep=1;;
    -l) list=1;;
    -h|--help) sed -n '2,33p' "$0"; exit 0;;
    -*) die "unknown option $1";;
    *) pats+=("$1");;
  esac
  shift
done

mapfile -t ALL < <(declare -F | awk '$3 ~ /^test_/ {print $3}' | LC_ALL=C sort)
TESTS=()
for t in "${ALL[@]}"; do
  if [ ${#pats[@]} -eq 0 ]; then TESTS+=("$t"); continue; fi
  for p in "${pats[@]}"; do
    if [[ "$t" =~ $p ]]; then TESTS+=("$t"); break; fi
  done
done
if [ $list = 1 ]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
[ ${#TESTS[@]} -gt 0 ] || die "no test matches: ${pats[*]}"
is_root || die "the integration tests run bacula-fd as root: run as root"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ $keep = 1 ]; then
    info "-k: daemons left running; stop them with: PHPC_STATE=$IT_STATE $H down"
  else
    it_ceph_down
    it_slurm_down
    it_slurm_relay_down
    "$H" down >/dev/null 2>&1 || "$H" down || true
    local s
    for s in "${IT_EXTRA_STATES[@]}"; do
      [ -f "$s/etc/harness.env" ] || continue
      PHPC_STATE=$s "$H" down >/dev/null 2>&1 || PHPC_STATE=$s "$H" down || true
    done
    rm -rf -- "$IT_TRUSTED"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

if [ "${IT_KEEP_STATE:-0}" != 1 ]; then
  it_ceph_down   # a CephFS lab an interrupted run left in the state directory
  it_slurm_down  # the same for a Slurm lab
  it_slurm_relay_down
  "$H" clean >/dev/null 2>&1 || true
fi
# root's own directory (made now, after the clean), or refused: never one another user made first
ensure_state_dir "$IT_STATE"
mkdir -p "$TREES" "$SCRATCH" "$CTX" "$TLOG"
rm -rf -- "$IT_TRUSTED"
install -d -m 755 "$IT_TRUSTED"
for p in "$IT_TRUSTED" "$ROOT/bin/podheitor-hpc-backend"; do
  bad=$(untrusted_component "$p")
  [ -z "$bad" ] || warn "the shim will refuse to run a backend in $p: $bad is not root's or is group/other-writable"
done
info "Bacula ${PHPC_BACULA:-9.6}${PHPC_ROOTFS:+ (root $PHPC_ROOTFS)}, state $IT_STATE, ports $PHPC_DIR_PORT/$PHPC_FD_PORT/$PHPC_SD_PORT, JOB_TIMEOUT=$JOB_TIMEOUT s"
"$H" up 2> "$TLOG/up.log" || { cat "$TLOG/up.log" >&2; die "could not start the private Bacula (see above)"; }
grep -E 'WARNING|plugin' "$TLOG/up.log" >&2 || true

npass=0 nfail=0 nskip=0
failed=() skipped=()
for t in "${TESTS[@]}"; do
  CUR_TEST=${t#test_}
  out=$TLOG/$t.out; err=$TLOG/$t.log
  t0=$SECONDS
  echo "---- $CUR_TEST" >&2
  set +e
  ( set -Eeuo pipefail; cd "$IT_STATE"; "$t" ) 2> >(tee "$err" >&2) | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  sleep 0.1   # let the stderr tee finish
  dt=$((SECONDS - t0))
  np=$(grep -c '^PASS ' "$out" || true)
  nf=$(grep -c '^FAIL ' "$out" || true)
  ns=$(grep -c '^SKIP ' "$out" || true)
  if [ "$rc" != 0 ] && [ "$nf" = 0 ]; then
    echo "FAIL $CUR_TEST: aborted with exit status $rc (log: $err)" | tee -a "$out"
    tail -n 5 "$err" | sed 's/^/    /'
    nf=1 ns=0
  elif [ "$np" = 0 ] && [ "$nf" = 0 ] && [ "$ns" = 0 ]; then
    echo "FAIL $CUR_TEST: printed neither PASS nor FAIL nor SKIP (log: $err)" | tee -a "$out"
    nf=1
  fi
  npass=$((npass + np)); nfail=$((nfail + nf)); nskip=$((nskip + ns))
  [ "$nf" = 0 ] || failed+=("$CUR_TEST")
  [ "$ns" = 0 ] || mapfile -t -O ${#skipped[@]} skipped < <(sed -n 's/^SKIP //p' "$out")
  echo "     ($CUR_TEST: ${dt}s)" >&2
  # the FD must survive every test
  if [ -z "$(fd_pid)" ]; then
    echo "FAIL $CUR_TEST: bacula-fd is no longer running after this test" | tee -a "$out"
    nfail=$((nfail + 1))
    "$H" up 2>> "$TLOG/up.log" || die "could not restart the private Bacula"
  fi
done

echo
echo "integration: logs in $TLOG, job logs in $IT_STATE/log"
[ ${#failed[@]} -eq 0 ] || echo "integration: failed: ${failed[*]}"
if [ ${#skipped[@]} -gt 0 ]; then
  echo "integration: skipped:"
  printf '    %s\n' "${skipped[@]}"
fi
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
