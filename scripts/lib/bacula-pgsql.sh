# shellcheck shell=bash
# bacula-pgsql.sh -- part of the podheitor-hpc Bacula test harness. Sourced by
# bacula-harness.sh (the entry point: command line, help text, settings,
# sourcing contract); defines functions only and runs nothing itself.
#
# Owns the PRIVATE POSTGRESQL CATALOG (PHPC_CATALOG=pgsql; the default is SQLite):
#
# * The server: the host's PostgreSQL (Debian package postgresql; the newest /usr/lib/postgresql/N/bin), a
#   cluster of its own made by initdb in $PHPC_STATE/pgsql/data and run as the user 'postgres' (PHPC_PG_USER;
#   PostgreSQL refuses to run as root). It listens on no TCP port at all: only on the unix socket
#   $PHPC_STATE/pgsql/run/.s.PGSQL.<PHPC_PG_PORT> (mode 0700, in a directory of that user's, mode 0700, inside
#   the state directory that is root's and 0700): only root and that user reach it, so the cluster trusts
#   local connections (initdb -A trust). The state directory gets ONE access-list entry, search (x) for that user
#   (setfacl), so the server can reach its directory; its parents must already be searchable by others (/tmp,
#   /var/lib/...: yes; a directory below another 0700 one: no, 'up' says so). Bacula 15's Director, chrooted
#   into PHPC_ROOTFS, sees the same socket: the state directory is bound into its root at the same path.
#   Started with the daemons ('up', before 'bacula-dir -t', which opens the catalog), stopped BY PID after them
#   ('down', 'clean'): SIGINT (PostgreSQL's fast shutdown: ends the sessions), SIGQUIT after 30 s, then SIGKILL.
#   Its log: $PHPC_STATE/log/postgres.out.
# * The catalog: database 'bacula' (SQL_ASCII, C collation: any file-name bytes; Debian's
#   create_postgresql_database), its tables made by the superuser from the SQL inside Debian's
#   make_postgresql_tables, then grant_postgresql_privileges' SQL for the Director's user 'bacula' (no
#   password: trust). The harness's read-only helpers (sql, list-files --sql, parity --sql, joblog) use psql as
#   the superuser in read-only transactions, with a schema 'phpc' first on the search path that holds what the
#   SQLite side makes per call: the view PhpcFile (bh_file_view_select) and hex(text) (SQLite's hex() of a name's
#   bytes), so the same queries give the same tab-separated output.
# * The Director's catalog backend: Debian selects it with the link /usr/lib/bacula/libbaccats-<version>.so of
#   the installed bacula-common-<db> package, which conflict with each other: one backend per system (and per
#   root). The pgsql one is never installed: scripts/install-deps.sh (host, 9.6) and scripts/mkroot.sh (15 root)
#   unpack bacula-common-pgsql + bacula-director-pgsql of the same version into
#   /var/lib/podheitor-hpc/bacula-pgsql (on the host, or inside the root), and only the harness's bacula-dir
#   (and its 'bacula-dir -t') run with LD_LIBRARY_PATH=<that>/usr/lib/bacula, which bacula-dir's RUNPATH
#   (/usr/lib/bacula) does not override. The system's Bacula, the SQLite tests and the root's own
#   libbaccats link stay as they are.

PG_BACKEND_DIR=/var/lib/podheitor-hpc/bacula-pgsql   # on the host (9.6) or inside PHPC_ROOTFS (15)
BH_DIR_ENV=()                                         # bh_catalog_setup
PG_DB=bacula
PG_DBUSER=bacula

pg_dir() { echo "$STATE/pgsql"; }
pg_data() { echo "$STATE/pgsql/data"; }
pg_sock() { echo "$STATE/pgsql/run"; }

# the newest host PostgreSQL with server, initdb and psql
pg_find_bin() {
  local b best=""
  for b in /usr/lib/postgresql/*/bin; do
    [ -x "$b/postgres" ] && [ -x "$b/initdb" ] && [ -x "$b/psql" ] || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$b" | sort -V | tail -n 1)" = "$b" ]; then best=$b; fi
  done
  [ -n "$best" ] || die "PostgreSQL not found in /usr/lib/postgresql/*/bin (install package postgresql: scripts/install-deps.sh)"
  echo "$best"
}

# the Director's library directory with the pgsql libbaccats, as the Director sees it; checked on the host
pg_backend_libdir() {
  local so host
  so=$(basename "$(bh_rootfs_path /usr/lib/bacula/libbaccats.so)")
  host=$(bh_rootfs_path "$PG_BACKEND_DIR")
  [ -f "$host/.phpc-unpacked" ] && [ -e "$host/usr/lib/bacula/$so" ] || {
    if [ "${BACULA:-9.6}" = 9.6 ]; then
      die "no PostgreSQL catalog backend for the host's Bacula in $host (scripts/install-deps.sh unpacks it)"
    else
      die "no PostgreSQL catalog backend in the root $ROOTFS (a root made before it was added: scripts/mkroot.sh trixie $ROOTFS makes it again)"
    fi
  }
  # the version the Director links (libbaccats-<version>.so) must be there, pointing at the postgresql library
  local need
  need=$(readlink "$(bh_rootfs_path /usr/lib/bacula/libbaccats.so)")
  [ -n "$need" ] && [ -e "$host/usr/lib/bacula/$need" ] \
    || die "$host holds no $need: its version differs from the Director's ($(paste -sd' ' "$host/.phpc-unpacked")); re-run scripts/install-deps.sh (host) or scripts/mkroot.sh (root)"
  case $(readlink -f "$host/usr/lib/bacula/$need") in
    */libbaccats-postgresql-*) ;;
    *) die "$host/usr/lib/bacula/$need is not the postgresql catalog library";;
  esac
  echo "$PG_BACKEND_DIR/usr/lib/bacula"
}

# the command prefix that gives bacula-dir (and 'bacula-dir -t') the catalog backend; empty for SQLite
# shellcheck disable=SC2034  # used by bacula-daemons.sh / bacula-config.sh
bh_catalog_setup() {
  BH_DIR_ENV=()
  [ "${CATALOG:-sqlite}" = pgsql ] || return 0
  BH_DIR_ENV=(env "LD_LIBRARY_PATH=$PG_LIBDIR")
}

# a command as the server's user: no capabilities, its own groups; environment reset
# shellcheck disable=SC2153  # PG_USER comes from harness.env (cmd_up writes it)
pg_as_user() {
  setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups --inh-caps=-all -- \
    env -i PATH=/usr/bin:/bin LC_ALL=C HOME="$(pg_dir)" "$@"
}

# psql as the superuser over the private socket (PGOPTIONS as the caller sets it)
pg_psql() { # psql args...
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$(pg_sock)" -p "$PG_PORT" -U postgres "$@"
}

# the harness's read-only query: one statement, tab-separated rows without header (like sqlite3 -batch -noheader)
pg_sql() { # SQL
  PGOPTIONS="-c default_transaction_read_only=on -c search_path=phpc,public -c statement_timeout=600000" \
    pg_psql -A -t -F $'\t' -d "$PG_DB" -c "$1"
}

# PID of the postmaster we started, if it is alive and really is that binary (else empty)
pg_pid() {
  local pf=$RUN/phpc-pg.pid pid exe
  [ -f "$pf" ] || return 0
  pid=$(cat "$pf" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 0
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [ "${exe% (deleted)}" = "$PG_BIN/postgres" ] || return 0
  echo "$pid"
}

# pid_alive (common.sh): a killed postmaster stays a zombie until init reaps it, and PostgreSQL takes a PID that
# exists for a running server

# the cluster's name, in every process title of it ("postgres: NAME: checkpointer"): tells its processes apart
pg_cluster_name() { echo "phpc-$(printf '%s' "$(pg_data)" | md5sum | cut -c1-12)"; }

# PIDs of live processes of OUR cluster without a live postmaster: a postmaster killed with SIGKILL leaves its
# children for a moment, and they hold the shared memory, so that a new postmaster must wait for them
pg_orphans() {
  local f p cmd want
  want="postgres: $(pg_cluster_name): "
  for f in /proc/[0-9]*/cmdline; do
    IFS= read -r -d '' cmd < "$f" 2>/dev/null || continue
    [ "${cmd#"$want"}" != "$cmd" ] || continue
    p=${f#/proc/}; p=${p%/cmdline}
    pid_alive "$p" && echo "$p"
  done
  return 0
}

# before a postmaster starts (none of ours alive): wait (15 s) for the old one's children to exit, SIGKILL those
# that do not; then a postmaster.pid whose PID is dead or a zombie is the dead server's: removed
pg_reap_orphans() {
  local i p data old
  local -a o=()
  data=$(pg_data)
  for ((i = 0; i < 150; i++)); do
    mapfile -t o < <(pg_orphans)
    [ ${#o[@]} -gt 0 ] || break
    sleep 0.1
  done
  if [ ${#o[@]} -gt 0 ]; then
    warn "postgres processes of $data left without their postmaster: SIGKILL ${o[*]}"
    for p in "${o[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.5
  fi
  old=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  if [[ "$old" =~ ^[0-9]+$ ]] && ! pid_alive "$old"; then
    info "removing $data/postmaster.pid of the dead postmaster $old"
    rm -f -- "$data/postmaster.pid"
  fi
  return 0
}

# the state directory: searchable by the server's user (one ACL entry), and pgsql/ its own
pg_prepare_dirs() {
  id -u "$PG_USER" >/dev/null 2>&1 || die "user '$PG_USER' does not exist (package postgresql makes 'postgres'; or set PHPC_PG_USER)"
  need setfacl "package acl"; need setpriv "package util-linux"
  # after 'chmod 700' (which sets the ACL mask): the entry and its mask again
  setfacl -m "u:$PG_USER:x" -- "$STATE" || die "cannot add an ACL entry for $PG_USER to $STATE (a file system without POSIX ACLs?)"
  local d
  d=$(pg_dir)
  if [ ! -d "$d" ]; then
    install -d -m 700 -o "$PG_USER" -g "$(id -gn "$PG_USER")" -- "$d" "$(pg_sock)"
  fi
  [ "$(stat -c %U "$d")" = "$PG_USER" ] || die "$d is not owned by $PG_USER"
  pg_as_user test -x "$d" -a -w "$(pg_sock)" \
    || die "user $PG_USER cannot reach $d: a parent directory of $STATE is closed to it (choose a PHPC_STATE whose parents others may search, e.g. under /tmp)"
}

pg_start() {
  local pid i d data log
  d=$(pg_dir); data=$(pg_data); log=$LOGD/postgres.out
  local sockf
  sockf=$(pg_sock)/.s.PGSQL.$PG_PORT
  pid=$(pg_pid)
  if [ -n "$pid" ] && [ -S "$sockf" ]; then info "postgres already running (pid $pid)"; return 0; fi
  if [ -n "$pid" ]; then info "postgres (pid $pid) has no socket $sockf (PHPC_PG_PORT changed?): restarting it"; pg_stop; fi
  pg_reap_orphans
  pg_prepare_dirs
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf -- "$data"
    info "initdb: a private PostgreSQL cluster in $data (user $PG_USER)"
    ( cd "$d" && pg_as_user "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E SQL_ASCII --locale=C --no-sync \
        >> "$log" 2>&1 ) || { tail -n 20 "$log" >&2; die "initdb failed (log $log)"; }
  fi
  [ ! -S "$sockf" ] || rm -f -- "$sockf" "$sockf.lock"     # left by a postgres that was killed
  echo "=== $(date -Is) starting $PG_BIN/postgres -D $data -k $(pg_sock) -p $PG_PORT" >> "$log"
  local here=$PWD
  # shellcheck disable=SC2164  # bh_main runs under set -e
  cd "$d"
  # setpriv and env exec: $! is the postmaster itself. No TCP (listen_addresses ''), the socket 0700.
  setsid setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups --inh-caps=-all -- \
    env -i PATH=/usr/bin:/bin LC_ALL=C HOME="$d" \
    "$PG_BIN/postgres" -D "$data" -k "$(pg_sock)" -p "$PG_PORT" -c listen_addresses= -c cluster_name="$(pg_cluster_name)" \
      -c unix_socket_permissions=0700 -c max_connections=$((MAX_JOBS * 4 + 20)) -c shared_buffers=64MB \
      -c logging_collector=off -c log_min_messages=warning < /dev/null >> "$log" 2>&1 &
  pid=$!
  # shellcheck disable=SC2164  # back to the caller's directory (set -e as above)
  cd "$here"
  echo "$pid" > "$RUN/phpc-pg.pid"
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN/phpc-pg.pid"
      echo "---- tail $log" >&2; tail -n 20 "$log" >&2
      die "postgres exited during startup"
    fi
    if [ -S "$sockf" ] && pg_psql -d postgres -A -t -c 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  pg_psql -d postgres -A -t -c 'SELECT 1' >/dev/null 2>&1 || die "postgres (pid $pid) does not answer on $sockf after 30 s; see $log"
  local own
  own=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  [ "$own" = "$pid" ] || die "postgres: postmaster.pid says '$own', we started $pid"
  info "postgres started (pid $pid, socket $sockf)"
}

pg_stop() {
  local pid i
  pid=$(pg_pid)
  if [ -z "$pid" ]; then
    [ -f "$RUN/phpc-pg.pid" ] && { info "postgres not running (stale pid file removed)"; rm -f "$RUN/phpc-pg.pid"; }
    return 0
  fi
  kill -INT "$pid" 2>/dev/null || true       # fast shutdown: sessions ended, then a checkpoint
  for ((i = 0; i < 300; i++)); do pid_alive "$pid" || break; sleep 0.1; done
  if pid_alive "$pid"; then
    warn "postgres (pid $pid) still running 30 s after SIGINT: SIGQUIT"
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do pid_alive "$pid" || break; sleep 0.1; done
  fi
  if pid_alive "$pid"; then
    warn "postgres (pid $pid) ignored SIGQUIT: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$RUN/phpc-pg.pid"
  pg_reap_orphans
  info "postgres stopped (pid $pid)"
}

# the SQL of one of Debian's catalog scripts: the here-document it feeds to psql, with the script's variables
# replaced (only those named; any other variable or command substitution is refused). '$$' stays as it is: in
# Bacula 15's make_postgresql_tables it is PL/pgSQL's dollar quote (a 'do $$ ... $$' block that creates the
# pg_trgm extension), which the script's unquoted here-document would have turned into the shell's PID.
pg_script_sql() { # script VAR=VALUE...
  local f=$1 sqltext kv; shift
  f=$(bh_rootfs_path "$PG_BACKEND_DIR/usr/share/bacula-director/$f")
  [ -f "$f" ] || die "$f missing (the unpacked bacula-director-pgsql)"
  sqltext=$(sed -n '/<<END-OF-DATA/,/^END-OF-DATA/p' "$f" | sed '1d;$d')
  for kv in "$@"; do
    sqltext=${sqltext//"\${${kv%%=*}}"/"${kv#*=}"}
    sqltext=${sqltext//"\$${kv%%=*}"/"${kv#*=}"}
  done
  if grep -n -E '\$[{A-Za-z_]|`' <<< "$sqltext" >&2; then die "$f: shell expansions left in its SQL (above)"; fi
  printf '%s\n' "$sqltext"
}

pg_init_catalog() {
  pg_start
  if [ "$(pg_psql -d postgres -A -t -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" = 1 ]; then
    return 0
  fi
  info "creating the PostgreSQL catalog '$PG_DB' (Debian's create_postgresql_database, make_postgresql_tables, grant_postgresql_privileges)"
  local log=$LOGD/catalog-init.out
  {
    # create_postgresql_database: SQL_ASCII and C collation (8.4 and later)
    pg_script_sql create_postgresql_database "db_name=$PG_DB" "ENCODING=ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'" \
      | pg_psql -d template1 -f -
    pg_script_sql make_postgresql_tables "db_name=$PG_DB" | pg_psql -d "$PG_DB" -f -
    pg_script_sql grant_postgresql_privileges "db_name=$PG_DB" "db_user=$PG_DBUSER" "pass=" | pg_psql -d "$PG_DB" -f -
    # the harness's read-only helpers: PhpcFile and hex() in a schema of their own (search_path phpc,public)
    pg_psql -d "$PG_DB" -f - <<EOF
CREATE SCHEMA phpc;
CREATE VIEW phpc.PhpcFile AS $(bh_file_view_select);
CREATE FUNCTION phpc.hex(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
  AS \$\$ SELECT upper(encode(textsend(t), 'hex')) \$\$;
EOF
  } > "$log" 2>&1 || {
    tail -n 30 "$log" >&2
    pg_psql -d postgres -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    die "PostgreSQL catalog creation failed (log $log)"
  }
  local v
  v=$(pg_sql 'SELECT VersionId FROM Version') || die "catalog unreadable"
  info "catalog version $v (PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'))"
}
