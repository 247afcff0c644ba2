#!/usr/bin/env bash
# podheitor-hpc: every test (run as root, no arguments, no input; CI runs this).
#   0. scripts/install-deps.sh + scripts/build.sh
#   1. mvn -B test                   Java unit tests
#   2. make -C shim-c test           C tests
#      make -C shim-c fuzz           libFuzzer harnesses, PHPC_FUZZ_SECONDS (20) each
#   3. tests/integration/run.sh      against real bacula-dir/-sd/-fd on 127.0.0.1, twice:
#        integration-9.6               the host's Bacula 9.6.7 (FD plugin interface 14); also tests 90-92, the
#                                      Debian package built and installed into bookworm and trixie roots (copies
#                                      of bare roots scripts/mkroot.sh keeps in /var/lib/podheitor-hpc/roots/pkg-*;
#                                      about 2.5 min with them, 1 min more the first time)
#        integration-15                Bacula 15.0.3 from a private Debian trixie root (interface 23):
#                                      scripts/mkroot.sh trixie makes it (or reuses it), then
#                                      PHPC_BACULA=15 with its own state directory and ports (tests 90-92
#                                      skipped there: the package does not use the harness's Bacula)
#                                    both runs include tests 55-56 (t_catalog_pgsql.sh): a second harness with
#                                      the PostgreSQL catalog (PHPC_CATALOG=pgsql, the host's postgresql; its
#                                      pgsql catalog backend unpacked by install-deps.sh / mkroot.sh), a plugin
#                                      backup and restore, then 4 concurrent jobs on 4 Devices/Volumes (~1 min)
#   4. tests/latencyfs/run.sh        the metadata-latency emulator: mount, walk, metadata, delay, unmount, read-write mode (~30 s)
#   5. tests/ceph/run.sh             a real single-node CephFS (scripts/lib/ceph-lab.sh: mon, OSD on memstore, MDS,
#                                    ceph-fuse on 127.0.0.1): the mount, rctime, snapshots, virtual xattrs, and
#                                    everything stopped (~45 s); one SKIP with the reason without the ceph packages
#                                    or /dev/fuse
#   6. tests/slurm/run.sh            a real Slurm 22.05 (scripts/lib/slurm-lab.sh: munged, slurmctld, node1 on 127.0.0.1,
#                                    node2 in its own network namespace): hpc-slurm's submitter runs jobs on it, a
#                                    node2 job connects back over TCP from 10.251.0.2, scancel, a refused partition,
#                                    a pending timeout, and everything stopped (~15 s); one SKIP with the reason
#                                    without the slurm packages
# Not here (too slow for CI): scripts/stress-1m-files.sh, scripts/bench-backup.sh, podheitor-hpc bench.
# Every part runs even when an earlier one failed. A test that cannot run on this machine (a JUnit
# assumption, a C test without /dev/fuse, an integration test's SKIP, an optional latencyfs check) is
# counted as skipped, never as passed. The summary has one line per part, then one line per skipped
# test (part, test: why); the last line is "N passed, N failed, N skipped" (totals over the parts).
# Exit status 1 if anything failed; skips alone do not fail (they are listed).
# The runners print "SKIP name: why" when they skip a test and close with an indented list of the
# skipped tests under "<runner>: skipped:", then "N passed, N failed, N skipped"; the Java counts and
# reasons come from surefire's XML reports.
# Logs: build/test-logs/.
# env: PHPC_SKIP_DEPS=1, PHPC_SKIP_BUILD=1 (the build then counts as skipped), PHPC_FUZZ_SECONDS=20,
#      tests/integration/run.sh's (IT_STATE, IT_*_PORT, ...), which the 9.6 run takes as they are; the 15 run
#      takes IT15_STATE (default IT_STATE-15), IT15_DIR_PORT, IT15_FD_PORT, IT15_SD_PORT (default the 9.6
#      ports + 20), IT15_FD2_PORT (FD + 5), IT15_PG_DIR_PORT/FD/SD/PG (t_catalog_pgsql.sh's harness: the 9.6
#      run's + 20), PHPC_ROOTFS (default /var/lib/podheitor-hpc/roots/trixie);
#      PHPC_SKIP_B15=1 leaves the 15 run out (counted as one failure);
#      tests/latencyfs/run.sh's (LATENCYFS_TEST_BASE, ...), tests/ceph/run.sh's (CEPH_TEST_STATE, CEPH_TEST_MON_PORT, ...),
#      tests/slurm/run.sh's (SLURM_TEST_STATE, SLURM_TEST_PORT, SLURM_TEST_NETNS, SLURM_TEST_NET)
set -Eeuo pipefail
PHPC_PROG=test.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT
LOGS=$ROOT/build/test-logs
TOTAL_P=0 TOTAL_F=0 TOTAL_S=0
SUMMARY=() SKIPPED=()

record() { # part passed failed skipped note
  TOTAL_P=$((TOTAL_P + $2)); TOTAL_F=$((TOTAL_F + $3)); TOTAL_S=$((TOTAL_S + $4))
  SUMMARY+=("$(printf '%-16s %4s passed, %4s failed, %4s skipped  %s' "$1" "$2" "$3" "$4" "$5")")
}

# the reasons for a part's N skipped tests: lines "test: why" on stdin, one per skipped test (or group);
# not at the end of a pipeline (a subshell would lose them)
record_skips() { # part n
  local part=$1 n=$2 line k=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    SKIPPED+=("$(printf '%-16s %s' "$part" "$line")"); k=$((k + 1))
  done
  if [ "$k" -lt "$n" ]; then
    SKIPPED+=("$(printf '%-16s %s' "$part" "$((n - k)) more skipped whose reason the runner did not list (see its log)")")
  fi
}

# the skipped tests a runner lists before its closing line, as "test: why": the indented lines under
# its "<runner>: skipped:" line (the tests it counted as skipped, exactly; its inline "SKIP ..." lines
# may include one whose test then failed)
skip_block() { # log
  awk '/^[^ ].*: skipped:$/ { inb = 1; next } inb && /^    / { sub(/^    /, ""); print; next } { inb = 0 }' "$1"
}

# "P F S" from the last line of LOG that is a closing line "[PREFIX]N passed, N failed[, N skipped]"
# (an old runner without the skipped count: S=0); nothing if there is none
closing_counts() { # log [prefix]
  sed -n -E "s/^${2:-}([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?\$/\\1 \\2 \\4/p" "$1" | tail -n 1 \
    | awk 'NF { print $1, $2, (NF > 2 ? $3 : 0) }'
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
  if [ "${PHPC_SKIP_BUILD:-0}" = 1 ]; then
    record build 0 0 1 ""
    record_skips build 1 <<< "scripts/build.sh: PHPC_SKIP_BUILD=1 (the tests run on the existing build)"
    return 0
  fi
  if logged "$LOGS/build.log" "$ROOT/scripts/build.sh"; then
    record build 1 0 0 ""
  else
    record build 0 1 0 "(see $LOGS/build.log)"
  fi
}

part_java() {
  echo "==== Java unit tests: mvn -B test"
  local jdk
  if ! jdk=$(find_jdk); then record java 0 1 0 "(no JDK >= 22)"; return 0; fi
  find "$ROOT" -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null || true
  local rc=0
  (cd "$ROOT" && export JAVA_HOME=$jdk PATH=$jdk/bin:$PATH && logged "$LOGS/java.log" mvn -B test) || rc=$?
  # count from the surefire XML reports: first line "passed failed skipped", then one line per skipped
  # test, "module: Class.method: message" (an assumption's message says why)
  local counts p=0 f=0 s=0
  counts=$(python3 - "$ROOT" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
root = sys.argv[1]
t = fl = sk = 0
why = []
for x in sorted(glob.glob(root + "/**/target/surefire-reports/TEST-*.xml", recursive=True)):
    module = os.path.relpath(x, root).split(os.sep)[0]
    try:
        r = ET.parse(x).getroot()
    except ET.ParseError:
        fl += 1
        continue
    t += int(r.get("tests", 0)); sk += int(r.get("skipped", 0))
    fl += int(r.get("failures", 0)) + int(r.get("errors", 0))
    for tc in r.iter("testcase"):
        e = tc.find("skipped")
        if e is None:
            continue
        msg = " ".join((e.get("message") or e.text or "no reason given").split())
        name = (tc.get("classname") or "?").rsplit(".", 1)[-1] + "." + (tc.get("name") or "?")
        why.append("%s: %s: %s" % (module, name, msg))
print(t - fl - sk, fl, sk)
for w in why:
    print(w)
PY
) || counts="0 1 0"
  read -r p f s <<< "$(head -n 1 <<< "$counts")"
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record java "$p" "$f" "$s" "$([ "$rc" = 0 ] || echo "(mvn exit $rc, see $LOGS/java.log)")"
  record_skips java "$s" < <(tail -n +2 <<< "$counts")
}

part_c() {
  echo "==== C tests: make -C shim-c test"
  local rc=0 p=0 f=0 s=0 counts
  logged "$LOGS/c.log" make -C "$ROOT/shim-c" test DEFAULT_BACKEND="$ROOT/bin/podheitor-hpc-backend" || rc=$?
  # shim-c/test/run.sh closes with "shim-c tests: N passed, N failed, N skipped"
  counts=$(closing_counts "$LOGS/c.log" 'shim-c tests: ')
  if [ -n "$counts" ]; then
    read -r p f s <<< "$counts"
  elif [ "$rc" = 0 ]; then
    p=1
  else
    f=1
  fi
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record c "$p" "$f" "$s" "$([ "$rc" = 0 ] || echo "(make exit $rc, see $LOGS/c.log)")"
  record_skips c "$s" < <(skip_block "$LOGS/c.log")
}

part_fuzz() {
  echo "==== C fuzzing: make -C shim-c fuzz FUZZ_SECONDS=${PHPC_FUZZ_SECONDS:-20}"
  local rc=0 p
  logged "$LOGS/fuzz.log" make -C "$ROOT/shim-c" fuzz FUZZ_SECONDS="${PHPC_FUZZ_SECONDS:-20}" || rc=$?
  p=$(grep -c '^fuzz: .* 0 crashes$' "$LOGS/fuzz.log" || true)
  if [ "$rc" = 0 ]; then
    record fuzz "$p" 0 0 "($(sed -n 's/^fuzz: \([a-z]*\) \([0-9]*\) runs.*/\1 \2/p' "$LOGS/fuzz.log" | paste -sd, - | sed 's/,/, /g') runs)"
  else
    record fuzz "$p" 1 0 "(make fuzz exit $rc, see $LOGS/fuzz.log)"
  fi
}

# a part whose runner closes with its skipped tests ("<runner>: skipped:", then "    test: why" each) and
# "N passed, N failed, N skipped": its counts, reasons and time; no closing line, or a non-zero exit, is a failure
part_counted() { # name runner [arg...]
  local name=$1 log=$LOGS/$1.log rc=0 p=0 f=1 s=0 counts t0=$SECONDS
  shift
  echo "==== $name: ${*#"$ROOT/"}"
  logged "$log" "$@" || rc=$?
  counts=$(closing_counts "$log")
  [ -z "$counts" ] || read -r p f s <<< "$counts"
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record "$name" "$p" "$f" "$s" "($((SECONDS - t0)) s)$([ "$rc" = 0 ] || echo " (see $log)")"
  record_skips "$name" "$s" < <(skip_block "$log")
}

part_integration_96() { part_counted integration-9.6 env PHPC_BACULA=9.6 "$ROOT/tests/integration/run.sh"; }

# the same suite against Bacula 15.0.3 (FD plugin interface 23) from a private Debian trixie root
part_integration_15() {
  local rootfs=${PHPC_ROOTFS:-/var/lib/podheitor-hpc/roots/trixie}
  local st=${IT15_STATE:-${IT_STATE:-/tmp/podheitor-hpc-it}-15}
  local dp=${IT15_DIR_PORT:-$(( ${IT_DIR_PORT:-19201} + 20 ))}
  local fp=${IT15_FD_PORT:-$(( ${IT_FD_PORT:-19202} + 20 ))}
  local sp=${IT15_SD_PORT:-$(( ${IT_SD_PORT:-19203} + 20 ))}
  local f2=${IT15_FD2_PORT:-$((fp + 5))}
  # t_catalog_pgsql.sh's second harness: the 9.6 run's ports (default its ports + 10) + 20
  local pgd=${IT15_PG_DIR_PORT:-$(( ${IT_PG_DIR_PORT:-$(( ${IT_DIR_PORT:-19201} + 10 ))} + 20 ))}
  local pgf=${IT15_PG_FD_PORT:-$(( ${IT_PG_FD_PORT:-$(( ${IT_FD_PORT:-19202} + 10 ))} + 20 ))}
  local pgs=${IT15_PG_SD_PORT:-$(( ${IT_PG_SD_PORT:-$(( ${IT_SD_PORT:-19203} + 10 ))} + 20 ))}
  local pgp=${IT15_PG_PG_PORT:-$(( ${IT_PG_PG_PORT:-$(( ${IT_PG_DIR_PORT:-$(( ${IT_DIR_PORT:-19201} + 10 ))} + 4 ))} + 20 ))}
  if [ "${PHPC_SKIP_B15:-0}" = 1 ]; then
    echo "==== integration-15: left out (PHPC_SKIP_B15=1)"
    record integration-15 0 1 0 "(left out: PHPC_SKIP_B15=1)"; return 0
  fi
  echo "==== integration-15: scripts/mkroot.sh trixie $rootfs"
  local t0=$SECONDS
  if ! logged "$LOGS/mkroot.log" "$ROOT/scripts/mkroot.sh" trixie "$rootfs"; then
    record integration-15 0 1 0 "(no Bacula 15 root: see $LOGS/mkroot.log)"; return 0
  fi
  echo "     (root ready in $((SECONDS - t0)) s)"
  part_counted integration-15 env PHPC_BACULA=15 PHPC_ROOTFS="$rootfs" IT_STATE="$st" IT_DIR_PORT="$dp" \
    IT_FD_PORT="$fp" IT_SD_PORT="$sp" IT_FD2_PORT="$f2" IT_PG_DIR_PORT="$pgd" IT_PG_FD_PORT="$pgf" \
    IT_PG_SD_PORT="$pgs" IT_PG_PG_PORT="$pgp" PGL_STATE="${IT15_PGL_STATE:-$st-pgsql}" "$ROOT/tests/integration/run.sh"
}
part_latencyfs() { part_counted latencyfs "$ROOT/tests/latencyfs/run.sh"; }
part_ceph() { part_counted ceph "$ROOT/tests/ceph/run.sh"; }
part_slurm() { part_counted slurm "$ROOT/tests/slurm/run.sh"; }

main() {
  is_root || die "run as root (installs packages; the integration tests run bacula-fd as root)"
  mkdir -p "$LOGS"
  local t0=$SECONDS
  part_build
  part_java
  part_c
  part_fuzz
  part_integration_96
  part_integration_15
  part_latencyfs
  part_ceph
  part_slurm
  echo
  echo "==== summary ($(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s; logs in $LOGS)"
  printf '%s\n' "${SUMMARY[@]}"
  if [ ${#SKIPPED[@]} -gt 0 ]; then
    echo "skipped (part, test: why):"
    printf '  %s\n' "${SKIPPED[@]}"
  fi
  echo "$TOTAL_P passed, $TOTAL_F failed, $TOTAL_S skipped"
  [ "$TOTAL_F" = 0 ]
}

main "$@"
