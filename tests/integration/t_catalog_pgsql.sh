# shellcheck shell=bash
# The harness's PostgreSQL catalog (PHPC_CATALOG=pgsql, scripts/lib/bacula-pgsql.sh) and concurrent jobs.
# Both tests start a second harness of their own beside the suite's (SQLite) one: its own state directory
# PGL_STATE (default IT_STATE-pgsql: its parents must be searchable by the user 'postgres'), its own ports
# (IT_PG_DIR_PORT/FD/SD, default the suite's + 10), PHPC_CATALOG=pgsql, PHPC_DEVICES=4, and stop it again
# ('clean', also when the test fails: a trap).
# a. 55: a plugin backup and restore with the catalog in a private PostgreSQL: the Director runs Debian's pgsql
#    catalog backend (mapped in the process), no SQLite file is made, the restore verifies exact, and the
#    catalog helpers (parity --sql, list-files, joblog, query with hex()) answer from PostgreSQL as from SQLite;
#    the system's Bacula still selects SQLite and the suite's harness still works
# b. 56: 4 plugin backup jobs queued together on one FD and one SD, each with its own Pool (an @-included file,
#    checked by 'bacula-dir -t' through 'dir-include'; a broken one is rejected and changes nothing): all 4 OK,
#    running at the same time (catalog: the latest StartTime before the earliest EndTime), 4 Devices, 4
#    Volumes, no Volume with two jobs; then 'clean' stops every daemon and postgres (by PID) and the socket is gone.
#    The backend of each job is a wrapper that waits 5 s before it runs the real one: the jobs hold their
#    Device and FD connection for at least that long, so their overlap does not depend on how fast this
#    machine moves the small trees (with PHPC_DEVICES=1 the 4 jobs run one after the other: no overlap).

PGL_STATE=${PGL_STATE:-${IT_STATE%/}-pgsql}
PGL_DIR_PORT=${IT_PG_DIR_PORT:-$((PHPC_DIR_PORT + 10))}
PGL_FD_PORT=${IT_PG_FD_PORT:-$((PHPC_FD_PORT + 10))}
PGL_SD_PORT=${IT_PG_SD_PORT:-$((PHPC_SD_PORT + 10))}
IT_EXTRA_STATES+=("$PGL_STATE")   # run.sh stops its daemons too, should the run end inside a test

# the harness of these tests
pgl() {
  PHPC_STATE=$PGL_STATE PHPC_DIR_PORT=$PGL_DIR_PORT PHPC_FD_PORT=$PGL_FD_PORT PHPC_SD_PORT=$PGL_SD_PORT \
    PHPC_FD2_PORT=$((PGL_FD_PORT + 5)) PHPC_PG_PORT=${IT_PG_PG_PORT:-$((PGL_DIR_PORT + 4))} \
    PHPC_CATALOG=pgsql PHPC_DEVICES=4 PHPC_MAX_JOBS=10 H "$@"
}
pgl_hrun() { # FILE harness-args...
  local out=$1 rc=0; shift
  pgl "$@" > "$out" 2> "$out.err" || rc=$?
  cat "$out.err" >&2
  return $rc
}

# SKIP when this machine has no PostgreSQL or no pgsql catalog backend (scripts/install-deps.sh, scripts/mkroot.sh)
pgl_premise() { # test-name
  local b
  b=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | head -n 1)
  [ -n "$b" ] || { skip "$1" "no PostgreSQL server (/usr/lib/postgresql/*/bin/postgres; scripts/install-deps.sh installs it)"; return 1; }
  id -u postgres >/dev/null 2>&1 || { skip "$1" "no user 'postgres' (package postgresql makes it)"; return 1; }
  local be=/var/lib/podheitor-hpc/bacula-pgsql
  [ "${PHPC_BACULA:-9.6}" = 9.6 ] || be=$(it_rootfs_prefix)$be
  [ -f "$be/.phpc-unpacked" ] || { skip "$1" "no pgsql catalog backend in $be (scripts/install-deps.sh, or scripts/mkroot.sh for 15)"; return 1; }
}

# PID runs (exists and is no zombie: a stopped daemon's exit status may wait a moment for init to collect it)
pgl_alive() { # pid
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}

pgl_clean() { pgl clean >/dev/null 2>&1 || pgl clean || true; }

# a fresh harness with the PostgreSQL catalog; prints FAIL and returns 1 when it cannot start
pgl_up() { # test-name
  pgl_clean
  if ! pgl up > "$SCRATCH/$1.up" 2>&1; then
    tail -n 20 "$SCRATCH/$1.up" >&2
    fail "$1" "the harness with PHPC_CATALOG=pgsql did not start: $(grep -m1 'ERROR' "$SCRATCH/$1.up" | cut -c1-200)"
    return 1
  fi
  mkdir -p "$PGL_STATE/trees"
}

# A backend wrapper for jobs that must run at one moment: the backends of each group of 4 jobs wait for each other
# (a barrier on the file BARRIER, at most 120 s), then 2 s more, so the 4 jobs overlap however slowly a loaded
# machine starts them (a fixed delay did not guarantee it); PRE is a shell line run first.
pgl_barrier_backend() { # wrapper-path barrier-file pre
  cat > "$1" <<EOF
#!/bin/sh
$3
echo \$\$ >> '$2'
want=\$(( (\$(wc -l < '$2') + 3) / 4 * 4 ))
i=0
while [ "\$(wc -l < '$2')" -lt "\$want" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
sleep 2
exec '$ROOT/bin/podheitor-hpc-backend' "\$@"
EOF
  chmod 755 "$1"
}

pgl_tree() { # name mktree-args... (inside the lab's state directory: the Bacula 15 daemons see it)
  local name=$1 t; shift
  t=$PGL_STATE/trees/$name
  python3 "$ROOT/scripts/mktree.py" "$@" "$t" >&2 || return 1
  echo "$t"
}

test_55_catalog_pgsql_backup_restore() {
  local n=catalog_pgsql_backup_restore T out jobid dest v p dirpid
  pgl_premise $n || return 0
  require_plugin $n || return 0
  trap pgl_clean EXIT
  pgl_up $n || return 0
  pgl plugin-loaded || { fail $n "the pgsql harness's bacula-fd did not load the plugin"; return 0; }
  # the Director runs the pgsql catalog backend; there is no SQLite catalog
  dirpid=$(pgl pids | sed -n 's/.*dir=\([0-9]*\).*/\1/p')
  grep -q 'libbaccats-postgresql' "/proc/$dirpid/maps" \
    || { fail $n "bacula-dir (pid $dirpid) has no libbaccats-postgresql mapped"; return 0; }
  [ ! -e "$PGL_STATE/work/dir/bacula.db" ] || { fail $n "a SQLite catalog was made in $PGL_STATE/work/dir"; return 0; }
  T=$(pgl_tree pgbr -n 1500 --big 1 --big-max-mib 4 --hardlinks 6 --odd-bytes) || { fail $n "mktree failed"; return 0; }
  out=$SCRATCH/$n.backup
  if ! pgl_hrun "$out" backup-plugin "podheitor-hpc:path=$T"; then fail_job $n "plugin backup (pgsql catalog)" "$out"; return 0; fi
  jobid=$(field JobId "$out")
  # the catalog helpers read PostgreSQL: the file list == find (raw bytes: SQL_ASCII), the job log, hex()
  p=$(pgl parity "$jobid" "$T" --sql 2>&1) || { echo "$p" >&2; fail $n "catalog (PostgreSQL) vs find: $(echo "$p" | tail -n 1)"; return 0; }
  note "$p"
  pgl joblog "$jobid" | grep -q 'podheitor-hpc: summary:' || { fail $n "joblog $jobid (from PostgreSQL) has no plugin summary line"; return 0; }
  [ "$(pgl query "SELECT hex(Name) FROM PhpcFile WHERE JobId = $jobid AND Name = '$T/'")" = \
    "$(printf '%s/' "$T" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ] || { fail $n "hex(Name) on PostgreSQL differs from the bytes"; return 0; }
  [ "$(pgl list-files "$jobid" --sql | grep -c .)" -ge "$(tree_count "$T")" ] \
    || { fail $n "list-files --sql returned fewer rows than the tree has entries"; return 0; }
  dest=$PGL_STATE/restores/$n
  if ! pgl_hrun "$SCRATCH/$n.restore" restore "$jobid" "$dest"; then fail_job $n "restore of job $jobid" "$SCRATCH/$n.restore"; return 0; fi
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2; fail $n "verify: $(echo "$v" | tail -n 1 | sed 's/.*| //') (details in the test log)"; return 0
  fi
  note "$v"
  # nothing of this touched the system's Bacula or the suite's SQLite harness
  local sys
  sys=$(readlink "$(it_rootfs_prefix)/usr/lib/bacula/libbaccats.so")
  case $(readlink "$(it_rootfs_prefix)/usr/lib/bacula/$sys") in
    *sqlite3*) ;;
    *) fail $n "the system's libbaccats ($(it_rootfs_prefix)/usr/lib/bacula/$sys) no longer selects SQLite"; return 0;;
  esac
  [[ "$(H query 'SELECT count(*) FROM Job')" =~ ^[0-9]+$ ]] || { fail $n "the suite's SQLite harness does not answer"; return 0; }
  pgl_clean
  trap - EXIT
  pass "$n (JobId $jobid: $(field JobFiles "$out") files, catalog in PostgreSQL == find, restore verify OK)"
}

test_56_catalog_pgsql_concurrent_jobs() {
  local n=catalog_pgsql_concurrent_jobs k inc bad W marks out
  pgl_premise $n || return 0
  require_plugin $n || return 0
  trap pgl_clean EXIT
  pgl_up $n || return 0
  W=$(trusted_dir "$n")/backend
  marks=$PGL_STATE/backend-starts
  # the backend: its start time recorded, then the 4 jobs' backends wait for each other, then the real one
  : > "$PGL_STATE/backend-barrier"
  pgl_barrier_backend "$W" "$PGL_STATE/backend-barrier" "date +%s.%N >> '$marks'"
  inc=$PGL_STATE/shards.conf
  : > "$inc"
  for k in 1 2 3 4; do
    pgl_tree "c$k" -n 800 --big 1 --big-max-mib 2 --seed "$k" > /dev/null || { fail $n "mktree failed"; return 0; }
    cat >> "$inc" <<EOF
Pool {
  Name = PgcPool$k
  Pool Type = Backup
  Storage = PhpcFile
  Label Format = "PgcVol-$k-"
  Maximum Volume Jobs = 1
  AutoPrune = no
  Volume Retention = 10 years
}
FileSet {
  Name = "fs-pgc$k"
  Include {
    Options {
      signature = MD5
    }
    Plugin = "podheitor-hpc:path=$PGL_STATE/trees/c$k;backend=$W"
  }
}
Job {
  Name = "pgc$k"
  JobDefs = PhpcJobDefs
  FileSet = "fs-pgc$k"
  Pool = PgcPool$k
}
EOF
  done
  # a broken include is rejected by 'bacula-dir -t' and changes nothing
  bad=$PGL_STATE/broken.conf
  printf 'Pool {\n  Name = Broken\n  Pool Type = NoSuchType\n}\n' > "$bad"
  if pgl dir-include "$bad" > "$SCRATCH/$n.bad" 2>&1; then fail $n "dir-include accepted a Pool with 'Pool Type = NoSuchType'"; return 0; fi
  [ -z "$(pgl dir-include --list)" ] || { fail $n "a rejected dir-include left an include behind"; return 0; }
  pgl dir-include --check "$inc" > "$SCRATCH/$n.check" 2>&1 || { cat "$SCRATCH/$n.check" >&2; fail $n "dir-include --check rejects the 4 Pools/Jobs"; return 0; }
  pgl dir-include "$inc" > "$SCRATCH/$n.inc" 2>&1 || { cat "$SCRATCH/$n.inc" >&2; fail $n "dir-include of the 4 Pools/Jobs failed"; return 0; }
  out=$SCRATCH/$n.run
  if ! pgl_hrun "$out" run-jobs pgc1 pgc2 pgc3 pgc4; then
    cat "$out" >&2
    fail $n "not every job ended OK: $(grep -c 'JobStatus=[TW] ' "$out") of 4 ($(grep -o 'JobStatus=[^ ]*' "$out" | paste -sd' ' -))"
    return 0
  fi
  cat "$out" >&2
  local ids vols devs per
  ids=$(sed -n 's/^JobId=\([0-9]*\) .*/\1/p' "$out" | paste -sd, -)
  grep -q ' Overlap=yes$' "$out" || { fail $n "the 4 jobs did not all run at one moment: $(tail -n 1 "$out")"; return 0; }
  # 4 Volumes, one job each, on 4 Devices
  vols=$(sed -n 's/.* Volumes=\([^ ]*\)$/\1/p' "$out" | sort -u | grep -cv -e '^-$' -e ',')
  [ "$vols" = 4 ] || { fail $n "expected 4 distinct single Volumes, got: $(sed -n 's/.* Volumes=//p' "$out" | paste -sd' ' -)"; return 0; }
  per=$(pgl query "SELECT m.VolumeName, count(DISTINCT jm.JobId) FROM JobMedia jm JOIN Media m ON m.MediaId = jm.MediaId
                    GROUP BY m.VolumeName HAVING count(DISTINCT jm.JobId) > 1")
  [ -z "$per" ] || { fail $n "a Volume holds more than one job: $per"; return 0; }
  devs=$(for k in ${ids//,/ }; do pgl joblog "$k" | sed -n 's/.*Using Device "\([^"]*\)" to write.*/\1/p'; done | sort -u | wc -l)
  [ "$devs" = 4 ] || { fail $n "the 4 jobs used $devs Devices, not 4"; return 0; }
  [ "$(wc -l < "$marks")" = 4 ] || { fail $n "premise: the backend wrapper ran $(wc -l < "$marks") times, not 4"; return 0; }
  # every daemon and postgres stop, by PID, and nothing of the catalog server is left
  local pids pg p alive="" sock
  pids=$(pgl pids)
  pg=$(sed -n 's/.* pg=\([0-9]*\).*/\1/p' <<< "$pids")
  [ -n "$pg" ] || { fail $n "'pids' names no postgres: $pids"; return 0; }
  local -a all=()
  read -r -a all <<< "$(tr -c '0-9\n' ' ' <<< "$pids")"
  mapfile -t -O ${#all[@]} all < <(tr ' ' '\n' < "/proc/$pg/task/$pg/children" 2>/dev/null | grep .)
  sock=$(ls "$PGL_STATE"/pgsql/run/.s.PGSQL.* 2>/dev/null | head -n 1)
  [ -S "$sock" ] || { fail $n "premise: no postgres socket in $PGL_STATE/pgsql/run"; return 0; }
  pgl clean > "$SCRATCH/$n.clean" 2>&1 || { cat "$SCRATCH/$n.clean" >&2; fail $n "'clean' failed"; return 0; }
  trap - EXIT
  for p in "${all[@]}"; do ! pgl_alive "$p" || alive+=" $p($(tr -d '\0' < "/proc/$p/comm" 2>/dev/null))"; done
  [ -z "$alive" ] || { fail $n "still running after 'clean':$alive"; return 0; }
  [ ! -e "$sock" ] && [ ! -e "$PGL_STATE" ] || { fail $n "'clean' left $PGL_STATE (or the socket)"; return 0; }
  pass "$n (JobIds $ids on 4 Devices and 4 Volumes, $(sed -n 's/.* Span_s=\([0-9]*\) .*/\1/p' "$out") s first start to last end, all at one moment; daemons and postgres ($((${#all[@]})) processes) stopped)"
}
