# shellcheck shell=bash
# bacula-catalog.sh -- part of the podheitor-hpc Bacula test harness. Sourced by
# bacula-harness.sh (the entry point: command line, help text, settings,
# sourcing contract); defines functions only and runs nothing itself.
#
# Owns the CATALOG AND BSR HELPERS: the catalog (creation, read-only sql) for both backends, SQLite (the
# default: $PHPC_STATE/work/dir/bacula.db) and PostgreSQL (PHPC_CATALOG=pgsql: the private server and database
# of bacula-pgsql.sh), job lookups (jobname, jobstatus, joblog, query), file lists and the checks built on them
# (list-files, find-list, parity, verify), and bootstraps written from the catalog (write_bsr, restore-bsr).
# Queries written here run on both: standard SQL, or a dialect choice (sql_epoch, joblog).

# ------------------------------------------------------------------- catalog ----
# read-only catalog query (the director is the writer), tab-separated rows without header. File names: through
# the view PhpcFile (JobId, FileIndex, PathId, LStat, MD5, Name = the full path), the same for every Bacula
# version and catalog (bh_file_view_select, bacula-rootfs.sh): never join Filename yourself, 15 has no such table.
sql() {
  if [ "${CATALOG:-sqlite}" = pgsql ]; then
    [ $# -eq 1 ] || die "sql: one SQL statement"
    pg_sql "$1"
  else
    sqlite3 -cmd '.timeout 60000' -cmd "$(bh_file_view_sql)" -batch -noheader -separator $'\t' "file:$DB?mode=ro" "$@"
  fi
}

# SQL: whole seconds since the epoch of a timestamp column
sql_epoch() { # column
  if [ "${CATALOG:-sqlite}" = pgsql ]; then echo "CAST(EXTRACT(EPOCH FROM $1) AS BIGINT)"
  else echo "CAST(strftime('%s',$1) AS INTEGER)"; fi
}

# does the state directory hold a catalog already (and of which kind)?
catalog_exists() {
  case "${1:-${CATALOG:-sqlite}}" in
    pgsql) [ -f "$(pg_data)/PG_VERSION" ];;
    *) [ -s "$DB" ];;
  esac
}

init_catalog() {
  if [ "${CATALOG:-sqlite}" = pgsql ]; then pg_init_catalog; return; fi
  [ -s "$DB" ] && return 0
  local mk
  mk=$(bh_rootfs_path /usr/share/bacula-director/make_sqlite3_tables)
  [ -f "$mk" ] || die "$mk missing (install bacula-director-sqlite3: scripts/install-deps.sh, or scripts/mkroot.sh for 15)"
  info "creating SQLite catalog $DB"
  # the Debian script hard-codes 'cd /var/lib/bacula' and a dbname placeholder;
  # take only the SQL between its here-doc markers.
  sed -n '/<<END-OF-DATA/,/^END-OF-DATA/p' "$mk" | sed '1d;$d' | sqlite3 -batch "$DB" \
    || { rm -f "$DB"; die "catalog creation failed"; }
  local v
  v=$(sqlite3 "$DB" 'SELECT VersionId FROM Version') || die "catalog unreadable"
  info "catalog version $v"
}

# --------------------------------------------------------------- job lookups ----
job_column() { # command column JOBID -> that column of the job's catalog row
  local cmd=$1 col=$2; shift 2
  # shellcheck disable=SC2015  # die exits: nothing runs after it
  [ $# -eq 1 ] && [[ "$1" =~ ^[0-9]+$ ]] || die "usage: $cmd JOBID"
  load_env
  local v
  v=$(sql "SELECT $col FROM Job WHERE JobId=$1")
  [ -n "$v" ] || die "JobId $1 not in catalog"
  echo "$v"
}

cmd_jobname() { job_column jobname Name "$@"; }

cmd_joblog() {
  # shellcheck disable=SC2015  # die exits: nothing runs after it
  [ $# -eq 1 ] && [[ "$1" =~ ^[0-9]+$ ]] || die "usage: joblog JOBID"
  load_env
  if [ "${CATALOG:-sqlite}" = pgsql ]; then
    # stored as sent: strip the message's own "\n", one row = one line
    sql "SELECT rtrim(LogText, chr(10)) FROM Log WHERE JobId=$1 ORDER BY LogId"
    return
  fi
  # the SQLite backend stores each message with a "\\" appended (after the
  # message's own "\n", if it has one): strip both, one row = one line
  sql "SELECT rtrim(CASE WHEN substr(LogText, -1) = '\\' THEN substr(LogText, 1, length(LogText) - 1)
                         ELSE LogText END, char(10))
         FROM Log WHERE JobId=$1 ORDER BY LogId"
}

cmd_jobstatus() { job_column jobstatus JobStatus "$@"; }

cmd_query() {
  [ $# -eq 1 ] || die "usage: query 'SQL'"
  load_env
  sql "$1"
}

# ----------------------------------------------------- file lists and checks ----
cmd_verify() {
  [ $# -ge 2 ] || die "usage: verify SRC DEST [verify.py options]"
  python3 "$PHPC_ROOT/scripts/verify.py" "$@"
}

cmd_list_files() {
  [ $# -ge 1 ] || die "usage: list-files JOBID [--raw|--sql]"
  load_env
  local jobid=$1 mode=${2:-}
  [[ "$jobid" =~ ^[0-9]+$ ]] || die "JOBID must be a number"
  case "$mode" in
    --sql)
      sql "SELECT Name FROM PhpcFile WHERE JobId = $jobid ORDER BY 1";;
    --raw)
      require_up; bcmd "list files jobid=$jobid";;
    "")
      require_up
      # bconsole prints two tables: the file names (rows "| /path   |"
      # between the 2nd and 3rd "+---" rule), then a job summary. Keep the
      # cells of the first table only, without the padding.
      bcmd "list files jobid=$jobid" | awk '
        /^\+-/ { rule++; next }
        rule == 2 && /^\| / { l = substr($0, 3); sub(/ *\|$/, "", l); print l }';;
    *) die "unknown option $mode";;
  esac
}

cmd_find_list() { # same shape as the catalog: directories with a trailing /
  [ $# -eq 1 ] || die "usage: find-list PATH"
  local p=${1%/}
  find "$p" -xdev \( -type d -printf '%p/\n' \) -o -printf '%p\n'
}

cmd_parity() {
  [ $# -ge 2 ] || die "usage: parity JOBID PATH [--sql]"
  local jobid=$1 path=${2%/} src=${3:-} a b
  a=$(mktemp); b=$(mktemp)
  # default: file list as printed by bconsole 'list files'; --sql: straight from the catalog
  # shellcheck disable=SC2086  # $src unquoted on purpose: empty = no argument
  cmd_list_files "$jobid" $src | LC_ALL=C sort > "$a"
  cmd_find_list "$path" | LC_ALL=C sort > "$b"
  local na nb oa ob
  na=$(wc -l < "$a"); nb=$(wc -l < "$b")
  oa=$(LC_ALL=C comm -23 "$a" "$b" | wc -l); ob=$(LC_ALL=C comm -13 "$a" "$b" | wc -l)
  LC_ALL=C comm -3 "$a" "$b" | head -20 >&2
  echo "parity jobid=$jobid path=$path catalog=$na find=$nb only_catalog=$oa only_find=$ob $([ "$oa$ob" = 00 ] && echo MATCH || echo DIFF)"
  rm -f "$a" "$b"
  [ "$oa$ob" = 00 ]
}

# ----------------------------------------------------------- bootstrap (BSR) ----
# A bootstrap for some FileIndexes of one job, from the catalog's JobMedia rows (what
# the Director writes for a restore, restricted to those FileIndexes).
write_bsr() { # jobid fileindex-list(comma separated) out
  # shellcheck disable=SC1010  # 'fi' is a variable name (FileIndex) here
  local jobid=$1 list=$2 out=$3 rows vol mt sid stime sf sb ef eb fi
  rows=$(sql "SELECT m.VolumeName, m.MediaType, j.VolSessionId, j.VolSessionTime,
                     jm.StartFile, jm.StartBlock, jm.EndFile, jm.EndBlock
                FROM JobMedia jm JOIN Media m ON m.MediaId = jm.MediaId JOIN Job j ON j.JobId = jm.JobId
               WHERE jm.JobId = $jobid ORDER BY jm.JobMediaId")
  [ -n "$rows" ] || die "JobId $jobid has no JobMedia rows in the catalog"
  : > "$out"
  while IFS=$'\t' read -r vol mt sid stime sf sb ef eb; do
    {
      printf 'Volume="%s"\nMediaType="%s"\nVolSessionId=%s\nVolSessionTime=%s\n' "$vol" "$mt" "$sid" "$stime"
      printf 'VolAddr=%s-%s\n' $(( (sf << 32) + sb )) $(( (ef << 32) + eb ))
      # ascending: the SD stops reading after the highest FileIndex it has passed
      for fi in $(tr ',' '\n' <<< "$list" | sort -n -u); do printf 'FileIndex=%s\n' "$fi"; done
    } >> "$out"
  done <<< "$rows"
}

cmd_restore_bsr() {
  [ $# -ge 3 ] || die "usage: restore-bsr JOBID FILEINDEX[,FILEINDEX...] DEST [bconsole run args...]"
  require_up
  local jobid=$1 list=$2 dest=$3 bsr; shift 3
  [[ "$jobid" =~ ^[0-9]+$ ]] || die "JOBID must be a number"
  [[ "$list" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "FILEINDEX list must be numbers separated by commas"
  dest=$(restore_dest "$dest")
  bsr=$RUN/restore-$jobid-$$.bsr
  write_bsr "$jobid" "$list" "$bsr"
  local extra="$*"
  local rc=0
  run_and_report restore "run job=$RESTOREJOB client=$CLIENT bootstrap=\"$bsr\" where=\"$dest\"${extra:+ $extra} yes" \
    Full "jobid=$jobid FileIndex $list (bootstrap) -> $dest" "$RESTOREJOB" || rc=$?
  rm -f "$bsr"
  return $rc
}
