#!/usr/bin/env bash
# podheitor-hpc: every test (run as root, no arguments, no input; CI runs this).
#   0. scripts/install-deps.sh + scripts/build.sh
#   1. mvn -B test                   Java unit tests
#   2. make -C shim-c test           C tests
#      make -C shim-c fuzz           libFuzzer harnesses, PHPC_FUZZ_SECONDS (20) each
#   3. tests/integration/run.sh      against real bacula-dir/-sd/-fd on 127.0.0.1
#   4. tests/latencyfs/run.sh        the metadata-latency emulator: mount, walk, metadata, delay, unmount (~10 s)
# Not here (too slow for CI): scripts/stress-1m-files.sh, scripts/bench-backup.sh, podheitor-hpc bench.
# Every part runs even when an earlier one failed. The last line is
# "N passed, N failed" (totals over the parts); exit status 1 if anything failed.
# Logs: build/test-logs/.
# env: PHPC_SKIP_DEPS=1, PHPC_SKIP_BUILD=1, plus tests/integration/run.sh's (IT_STATE, ...)
set -Eeuo pipefail
PHPC_PROG=test.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT
LOGS=$ROOT/build/test-logs
TOTAL_P=0 TOTAL_F=0
SUMMARY=()

record() { # part passed failed note
  TOTAL_P=$((TOTAL_P + $2)); TOTAL_F=$((TOTAL_F + $3))
  SUMMARY+=("$(printf '%-14s %4s passed, %4s failed  %s' "$1" "$2" "$3" "$4")")
}

# runs a command with its output on the terminal and in a log; returns its status
logged() { # log cmd...
  local log=$1; shift
  set +e
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}

part_build() {
  echo "==== build"
  if [ "${PHPC_SKIP_BUILD:-0}" = 1 ]; then record build 0 0 "(skipped)"; return 0; fi
  if logged "$LOGS/build.log" "$ROOT/scripts/build.sh"; then
    record build 1 0 ""
  else
    record build 0 1 "(see $LOGS/build.log)"
  fi
}

part_java() {
  echo "==== Java unit tests: mvn -B test"
  local jdk
  if ! jdk=$(find_jdk); then record java 0 1 "(no JDK >= 22)"; return 0; fi
  find "$ROOT" -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null || true
  local rc=0
  (cd "$ROOT" && export JAVA_HOME=$jdk PATH=$jdk/bin:$PATH && logged "$LOGS/java.log" mvn -B test) || rc=$?
  # count from the surefire XML reports
  local counts p f
  counts=$(python3 - "$ROOT" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
t = fl = sk = 0
for x in glob.glob(sys.argv[1] + "/**/target/surefire-reports/TEST-*.xml", recursive=True):
    try:
        r = ET.parse(x).getroot()
    except ET.ParseError:
        fl += 1
        continue
    t += int(r.get("tests", 0)); sk += int(r.get("skipped", 0))
    fl += int(r.get("failures", 0)) + int(r.get("errors", 0))
print(t - fl - sk, fl)
PY
) || counts="0 0"
  p=${counts% *}; f=${counts#* }
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record java "$p" "$f" "$([ "$rc" = 0 ] || echo "(mvn exit $rc, see $LOGS/java.log)")"
}

part_c() {
  echo "==== C tests: make -C shim-c test"
  local rc=0 p f line
  logged "$LOGS/c.log" make -C "$ROOT/shim-c" test DEFAULT_BACKEND="$ROOT/bin/podheitor-hpc-backend" || rc=$?
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$LOGS/c.log" | tail -n 1 || true)
  p=$(echo "$line" | sed -n 's/.*\b\([0-9]\+\) passed, \([0-9]\+\) failed.*/\1/p')
  f=$(echo "$line" | sed -n 's/.*\b\([0-9]\+\) passed, \([0-9]\+\) failed.*/\2/p')
  p=${p:-0}; f=${f:-0}
  if [ -z "$line" ]; then
    if [ "$rc" = 0 ]; then p=1; else f=1; fi
  elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    f=1
  fi
  record c "$p" "$f" "$([ "$rc" = 0 ] || echo "(make exit $rc, see $LOGS/c.log)")"
}

part_fuzz() {
  echo "==== C fuzzing: make -C shim-c fuzz FUZZ_SECONDS=${PHPC_FUZZ_SECONDS:-20}"
  local rc=0 p
  logged "$LOGS/fuzz.log" make -C "$ROOT/shim-c" fuzz FUZZ_SECONDS="${PHPC_FUZZ_SECONDS:-20}" || rc=$?
  p=$(grep -c '^fuzz: .* 0 crashes$' "$LOGS/fuzz.log" || true)
  if [ "$rc" = 0 ]; then
    record fuzz "$p" 0 "($(sed -n 's/^fuzz: \([a-z]*\) \([0-9]*\) runs.*/\1 \2/p' "$LOGS/fuzz.log" | paste -sd, - | sed 's/,/, /g') runs)"
  else
    record fuzz "$p" 1 "(make fuzz exit $rc, see $LOGS/fuzz.log)"
  fi
}

# a part whose runner closes with "N passed, N failed": its counts; a non-zero exit counts as a failure
part_counted() { # name runner
  local name=$1 runner=$2 log=$LOGS/$1.log rc=0 p f line
  echo "==== $name: ${runner#"$ROOT/"}"
  logged "$log" "$runner" || rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
  p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  [ -n "$line" ] || { p=0; f=1; }
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record "$name" "$p" "$f" "$([ "$rc" = 0 ] || echo "(see $log)")"
}

part_integration() { part_counted integration "$ROOT/tests/integration/run.sh"; }
part_latencyfs() { part_counted latencyfs "$ROOT/tests/latencyfs/run.sh"; }

main() {
  is_root || die "run as root (installs packages; the integration tests run bacula-fd as root)"
  mkdir -p "$LOGS"
  local t0=$SECONDS
  part_build
  part_java
  part_c
  part_fuzz
  part_integration
  part_latencyfs
  echo
  echo "==== summary ($(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s; logs in $LOGS)"
  printf '%s\n' "${SUMMARY[@]}"
  echo "$TOTAL_P passed, $TOTAL_F failed"
  [ "$TOTAL_F" = 0 ]
}

main "$@"
