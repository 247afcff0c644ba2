# shellcheck shell=bash
# Helpers for the integration tests (sourced by run.sh). Each test is a bash
# function test_NN_name that prints exactly one "PASS name" or
# "FAIL name: reason" line on stdout, or "SKIP name: reason" (skip) when it
# cannot run on this machine -- a missing tool or kernel feature, never a
# plugin or job problem, which is a FAIL (anything else goes to stderr / the log).
#
# Provided by run.sh: ROOT, H (harness command), IT_STATE, IT_TRUSTED, TREES, SCRATCH, CTX.
#
# The same tests run against Bacula 9.6 and 15 (PHPC_BACULA, scripts/lib/bacula-rootfs.sh). Catalog file
# names come from the harness's view PhpcFile (JobId, FileIndex, PathId, LStat, MD5, Name = the full path):
# H query "SELECT Name FROM PhpcFile WHERE JobId = N"; never join a Filename table (15 has none).

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }   # counted as skipped (never as passed), with the reason, by run.sh
note() { echo "  [$CUR_TEST] $*" >&2; }

# Wait until FILE has a line matching the extended regex RE, for at most BOUND seconds (a loaded CI machine can be
# several times slower than this one: bounds are for "it does not come", not for "it comes fast").
wait_line() { # file re bound
  local t0=$SECONDS
  until grep -q -E -- "$2" "$1" 2> /dev/null; do
    [ $((SECONDS - t0)) -lt "$3" ] || return 1
    sleep 0.1
  done
}

H() { "$ROOT/scripts/lib/bacula-harness.sh" "$@"; }

# the JobId a background harness run reported on its stderr ("JobId=N queued"), or nothing yet
queued_jobid() { sed -n 's/.*JobId=\([0-9]*\) queued.*/\1/p' "$1" | head -1; }

# value of KEY in harness output (lines "KEY=VALUE ..."), first token
field() { # KEY FILE
  sed -n "s/^$1=\\([^ ]*\\).*/\\1/p" "$2" | head -1
}

# backup/restore wrappers: never abort the test; output in FILE, rc returned
hrun() { # FILE harness-args...
  local out=$1; shift
  local rc=0
  H "$@" > "$out" 2> "$out.err" || rc=$?
  cat "$out.err" >&2
  return $rc
}

# a generated tree under $TREES (created once per run, deterministic)
mk_tree() { # name mktree-args... -> prints the path
  local name=$1; shift
  local t=$TREES/$name
  if [ ! -e "$t.done" ]; then          # marker next to the tree, not inside it
    rm -rf -- "$t"
    mkdir -p "$TREES"
    python3 "$ROOT/scripts/mktree.py" "$@" "$t" >&2 || return 1
    touch "$t.done"
  fi
  echo "$t"
}

# entry count of a tree (names may contain newlines: count NUL-terminated)
tree_count() { find "$1" -xdev -printf 'x' | wc -c; }

# a fresh empty directory for backend= wrappers: below $IT_TRUSTED, root's and 0755 (the shim refuses a
# backend that is not root's or that group/others could replace, in it or any directory above it)
trusted_dir() { # name -> path
  local d=$IT_TRUSTED/$1
  rm -rf -- "$d"
  install -d -m 755 -- "$d"
  echo "$d"
}

scratch() { # name -> a fresh empty directory
  local d=$SCRATCH/$1
  rm -rf -- "$d"
  mkdir -p -- "$d"
  echo "$d"
}

fd_pid() { H pids | sed -n 's/.*fd=\([0-9]*\).*/\1/p'; }

# the plugin must be loaded by bacula-fd; otherwise fail the test with a clear reason
require_plugin() { # test-name
  if ! H plugin-loaded; then
    local so=${PHPC_PLUGIN_SO:-$ROOT/shim-c/build/podheitor-hpc-fd.so}
    if [ ! -f "$so" ]; then
      fail "$1" "plugin not loaded: $so does not exist (build it with scripts/build.sh)"
    else
      fail "$1" "plugin not loaded by bacula-fd although $so exists (see $IT_STATE/log/bacula-fd.out)"
    fi
    return 1
  fi
}

# job-log lines from the plugin (prefix podheitor-hpc) that mention WORD
plugin_log_mentions() { # jobid word
  H joblog "$1" | grep -i 'podheitor-hpc' | grep -v -i 'is not loaded' | grep -i -q -- "$2"
}

save_ctx() { printf '%s\n' "$2" > "$CTX/$1"; }
load_ctx() { cat "$CTX/$1" 2>/dev/null || true; }

# the first error message of a job (plugin messages first), for FAIL reasons
job_err() { # jobid-or-harness-output-file
  local j=$1
  [ -f "$j" ] && j=$(field JobId "$j")
  [ -n "$j" ] || { echo "no JobId"; return 0; }
  local l
  l=$(H joblog "$j" 2>/dev/null | grep -i 'podheitor-hpc' | grep -i -m1 -E 'error|fatal|abort|warning' || true)
  [ -n "$l" ] || l=$(H joblog "$j" 2>/dev/null | grep -m1 -E 'Fatal error|Error:' || true)
  echo "job $j: ${l#*JobId $j: }" | cut -c1-240
}

# FAIL line for a backup/restore whose harness output is in FILE
fail_job() { # test-name what file
  fail "$1" "$2 failed: JobStatus=$(field JobStatus "$3"): $(job_err "$3") (log: $(field Log "$3"))"
}

# Wait (up to 30 s, while the background job PID $1 runs) until bacula-fd has a backend process; its PIDs go
# into the array named $2 (empty if none appeared).
wait_backend() {
  local hp=$1 i
  local -n _pids=$2
  _pids=()
  for ((i = 0; i < 600; i++)); do
    mapfile -t _pids < <(H backend-pids 2>/dev/null)
    [ ${#_pids[@]} -gt 0 ] && return 0
    kill -0 "$hp" 2>/dev/null || return 0
    sleep 0.05
  done
}

# the prefix the host's /proc shows before a path that the FD (and its backend) sees: "" with the host's
# Bacula 9.6, the private root PHPC_ROOTFS with Bacula 15 (its daemons run chrooted there)
it_rootfs_prefix() {
  if [ "${PHPC_BACULA:-9.6}" = 9.6 ]; then echo ""; else echo "${PHPC_ROOTFS:-/var/lib/podheitor-hpc/roots/trixie}"; fi
}
