# shellcheck shell=bash
# The counters of a test runner that prints "PASS/FAIL/SKIP name: text" lines (tests/ceph, tests/slurm): source it
# after setting RUNNER (the runner's name in its list of skipped tests). finish prints that list and the last line
# scripts/test.sh reads, "N passed, N failed, N skipped", and fails when a test failed.
P=0 F=0 S=0
SKIPS=()
pass() { P=$((P + 1)); echo "PASS $1${2:+: $2}"; }
fail() { F=$((F + 1)); echo "FAIL $1: $2"; }
skip() { S=$((S + 1)); SKIPS+=("$1: $2"); echo "SKIP $1: $2"; }
finish() {
  if [ "$S" -gt 0 ]; then
    echo "$RUNNER: skipped:"
    printf '    %s\n' "${SKIPS[@]}"
  fi
  echo "$P passed, $F failed, $S skipped"
  [ "$F" = 0 ]
}
