#!/usr/bin/env bash
# podheitor-hpc test harness: a private Bacula 9.6.x Director + Storage Daemon +
# File Daemon on 127.0.0.1, SQLite catalog, File storage, all state under
# $PHPC_STATE. The FD's Plugin Directory is $PHPC_STATE/plugins, into which
# 'up' copies shim-c/build/podheitor-hpc-fd.so (or $PHPC_PLUGIN_SO).
#
#   scripts/lib/bacula-harness.sh <command> [args]      (see 'help')
#
# It can also be sourced ('. scripts/lib/bacula-harness.sh'): that defines the
# bh_* / cmd_* functions and the variables below without running anything;
# then call e.g. 'bh_main backup /some/path'. Note that die() exits the shell
# that sourced it.
#
# Never touches /etc/bacula, /var/lib/bacula or the system's bacula services;
# stops only the daemons it started, by PID (checked against /proc/PID/exe).

BH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PHPC_ROOT=${PHPC_ROOT:-$(cd "$BH_LIB/../.." && pwd)}
PHPC_PROG=${PHPC_PROG:-bacula-harness}
# shellcheck source=common.sh
. "$BH_LIB/common.sh"

STATE=${PHPC_STATE:-/tmp/podheitor-hpc-lab}
STATE=${STATE%/}
ETC=$STATE/etc
RUN=$STATE/run
LOGD=$STATE/log
WORK=$STATE/work
PLUGDIR=$STATE/plugins
PLUGDIR2=$STATE/plugins2      # the second FD's ('up2')
DB=$WORK/dir/bacula.db
ENVF=$ETC/harness.env
RESULTS=$STATE/results.tsv
CLIENT=phpc-fd
CLIENT2=phpc-fd2              # a second File Daemon on this host, started by 'up2'
RESTOREJOB=PhpcRestore
PLUGIN_SO_NAME=podheitor-hpc-fd.so

usage() {
  cat <<EOF
usage: bacula-harness.sh <command> [args]

  up                        write configs to \$PHPC_STATE ($STATE), init the SQLite
                            catalog, copy the plugin .so into \$PHPC_STATE/plugins,
                            start bacula-dir/-sd/-fd on 127.0.0.1 (idempotent)
  down                      stop the daemons started by 'up' (by PID, TERM then KILL)
  up2 [--no-dac] / down2    start/stop a second bacula-fd (Client $CLIENT2 on port
                            \$PHPC_FD2_PORT, default FD port + 5) for restoreclient=$CLIENT2;
                            --no-dac: without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv),
                            so root meets permissions like a squashed root on NFS/Lustre
                            (a running one is restarted when the mode differs)
  clean                     down + delete \$PHPC_STATE
  status                    daemons, pids, ports, plugin loaded?, running jobs
  pids                      'dir=PID sd=PID fd=PID'
  backend-pids              PIDs of bacula-fd's descendants (the plugin backend), one a line
  plugin-loaded             exit 0 if bacula-fd lists the podheitor-hpc plugin
  console [CMD...]          bconsole commands (args, or stdin if none)
  backup PATH [LEVEL] [DIRECTIVE...]
                            stock FD backup of PATH (File = PATH, signature MD5)
  backup-plugin 'STRING' [LEVEL] [DIRECTIVE...]
                            backup of a FileSet with  Plugin = "STRING"
                            (DIRECTIVEs go into the Job resource, e.g. Accurate=yes)
  estimate PATH [listing] [LEVEL]
  estimate-plugin 'STRING' [listing] [LEVEL] [DIRECTIVE...]
                            bconsole 'estimate job=... [listing] level=...'; prints the
                            listing and 'Estimate_files=N Estimate_bytes=M'
  restore JOBID DEST [ARG...]
                            restore all files of JOBID with where=DEST (ARGs are extra
                            bconsole restore arguments, e.g. replace=always)
  restore-select JOBID DEST [ARG...] < SELECTION
                            restore only the entries marked by the bconsole commands on
                            stdin (cd DIR / mark NAME ..., one a line; 'done' is appended)
  restore-bsr JOBID FILEINDEX[,FILEINDEX...] DEST [ARG...]
                            restore exactly those FileIndexes of JOBID through a bootstrap
                            written from the catalog ('run job=$RESTOREJOB bootstrap=...'):
                            what a hand-edited bootstrap does, e.g. a hard link without its
                            first name
  restore-latest JOBNAME|JOBID DEST [ARG...]
                            restore the most recent state of that job (Full + Diff +
                            Incrementals: 'select current all done')
  jobname JOBID             the Job resource name of JOBID
  list-files JOBID [--raw|--sql]
                            catalog file list of JOBID (plain paths; dirs end in /)
  find-list PATH            PATH listed like list-files (for diff)
  parity JOBID PATH [--sql] diff the catalog file list of JOBID against find PATH
  verify SRC DEST [...]     scripts/verify.py SRC DEST (DEST or DEST/SRC)
  joblog JOBID              the job log (catalog Log table)
  jobstatus JOBID           the JobStatus letter (T W E e f A R C ...)
  query 'SQL'               read-only SQL on the catalog (tab-separated)

environment for 'up' (unset = default; recorded in \$PHPC_STATE/etc/harness.env,
which every other command reads -- re-run 'up' to change; changed daemons restart):
  PHPC_STATE=$STATE
  PHPC_DIR_PORT=19101 PHPC_FD_PORT=19102 PHPC_SD_PORT=19103 PHPC_FD2_PORT=(FD port + 5)
  PHPC_PLUGIN_SO=$PHPC_ROOT/shim-c/build/$PLUGIN_SO_NAME
  PHPC_MAX_JOBS=10  PHPC_FD_DEBUG=0 (bacula-fd -d level)
  BACULA_DIR_BIN / BACULA_SD_BIN / BACULA_FD_BIN  (override the daemon binaries)
per call:
  ACL=no XATTR=no           FileSet aclsupport/xattrsupport
  FS_OPTIONS='Options {...}' FS_EXCLUDE='File = ...' FS_IGNORE_CHANGES=yes
                            extra FileSet Options block(s) (before the default one), an
                            Exclude block, Ignore FileSet Changes (all part of the job name)
  JOB_NAME_AS=NAME          define the Job under NAME instead of the hashed name
  JOB_TIMEOUT=0             seconds before a job is cancelled (0 = no limit)
  SAMPLE_INTERVAL=0.05      seconds between /proc samples of bacula-fd (+ descendants)
EOF
}

# ---------------------------------------------------------------- helpers ----
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found in PATH${2:+ ($2)}"; }

load_env() {
  [ -f "$ENVF" ] || die "harness not initialised in $STATE (run: bacula-harness.sh up)"
  # shellcheck disable=SC1090
  . "$ENVF"
}

gen_pw() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

find_bin() { # name override
  local name=$1 over=${2:-} c
  for c in "$over" "$(command -v "$name" 2>/dev/null || true)" "/usr/sbin/$name"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  local pkg=$name
  case $name in bacula-dir) pkg=bacula-director;; esac
  die "$name not found (install package $pkg: scripts/install-deps.sh)"
}

bcon() { bconsole -n -c "$ETC/bconsole.conf"; }   # commands on stdin
bcmd() { printf '%s\n' "$@" | bcon; }              # commands as arguments

sql() { # read-only catalog query (the director is the writer)
  sqlite3 -cmd '.timeout 60000' -batch -noheader -separator $'\t' "file:$DB?mode=ro" "$@"
}

port_listening() { # port
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

pidfile() { echo "$RUN/phpc-$1.pid"; }
daemon_bin() { case $1 in dir) echo "$DIR_BIN";; sd) echo "$SD_BIN";; fd|fd2) echo "$FD_BIN";; esac; }
daemon_port() { case $1 in dir) echo "$DIR_PORT";; sd) echo "$SD_PORT";; fd) echo "$FD_PORT";; fd2) echo "$FD2_PORT";; esac; }
daemon_conf() { case $1 in dir) echo "$ETC/bacula-dir.conf";; sd) echo "$ETC/bacula-sd.conf";; fd) echo "$ETC/bacula-fd.conf";; fd2) echo "$ETC/bacula-fd2.conf";; esac; }

# pid of one of our daemons if it is alive AND really is that binary (else empty)
daemon_pid() {
  local d=$1 pf pid exe
  pf=$(pidfile "$d")
  [ -f "$pf" ] || return 0
  pid=$(cat "$pf" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -d "/proc/$pid" ] || return 0
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  exe=${exe% (deleted)}
  [ "$(basename "$exe")" = "$(basename "$(daemon_bin "$d")")" ] || return 0
  echo "$pid"
}

# fork-free: BH_KIDS=( direct children of PID ). Uses /proc/PID/task/*/children
# (CONFIG_PROC_CHILDREN), else scans /proc/*/stat for the parent pid.
bh_children() {
  local pid=$1 f
  local -a ch
  BH_KIDS=()
  if [ -e "/proc/$pid/task/$pid/children" ]; then
    for f in /proc/"$pid"/task/*/children; do
      ch=()
      read -r -a ch 2>/dev/null < "$f" || true   # stderr first: a thread may exit meanwhile
      BH_KIDS+=("${ch[@]}")
    done
  elif [ -d "/proc/$pid" ]; then
    local s rest
    local -a st
    for s in /proc/[0-9]*/stat; do
      read -r rest 2>/dev/null < "$s" || continue
      rest=${rest##*) }           # after the comm field, which may contain spaces
      read -r -a st <<< "$rest"
      [ "${st[1]:-}" = "$pid" ] && { s=${s#/proc/}; BH_KIDS+=("${s%/stat}"); }
    done
  fi
}

# fork-free: BH_DESC=( all descendants of PID ), breadth first
bh_descendants() {
  local -a queue=("$1")
  local p
  BH_DESC=()
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    bh_children "$p"
    BH_DESC+=("${BH_KIDS[@]}")
    queue+=("${BH_KIDS[@]}")
  done
}

proc_starttime() { # pid -> field 22 of /proc/PID/stat (for PID-reuse checks)
  local rest
  local -a st
  read -r rest 2>/dev/null < "/proc/$1/stat" || return 0
  rest=${rest##*) }
  read -r -a st <<< "$rest"
  echo "${st[19]:-}"
}

# --------------------------------------------------------------- configs ----
fd_conf() { # client port workdir plugindir comment -> a bacula-fd.conf on stdout
  cat <<EOF
# generated by podheitor-hpc bacula-harness.sh -- $5
Director {
  Name = phpc-dir
  Password = "$PW_FD"
}

FileDaemon {
  Name = $1
  FDport = $2
  FDAddress = 127.0.0.1
  WorkingDirectory = "$3"
  Pid Directory = "$RUN"
  Maximum Concurrent Jobs = $MAX_JOBS
  Plugin Directory = "$4"
}

Messages {
  Name = Standard
  director = phpc-dir = all, !skipped, !restored
}
EOF
}

write_configs() { # writes into $1 (a directory)
  local o=$1
  mkdir -p "$o"
  cat > "$o/bacula-dir.conf" <<EOF
# generated by podheitor-hpc bacula-harness.sh -- private Director
Director {
  Name = phpc-dir
  DIRport = $DIR_PORT
  DirAddress = 127.0.0.1
  QueryFile = "$ETC/query.sql"
  WorkingDirectory = "$WORK/dir"
  PidDirectory = "$RUN"
  Maximum Concurrent Jobs = $MAX_JOBS
  Password = "$PW_CONSOLE"
  Messages = Daemon
}

Catalog {
  Name = PhpcCatalog
  # SQLite: the file is <Director WorkingDirectory>/<dbname>.db
  dbname = "bacula"; dbuser = ""; dbpassword = ""
}

Client {
  Name = $CLIENT
  Address = 127.0.0.1
  FDPort = $FD_PORT
  Catalog = PhpcCatalog
  Password = "$PW_FD"
  File Retention = 10 years
  Job Retention = 10 years
  AutoPrune = no
  Maximum Concurrent Jobs = $MAX_JOBS
}

# the second File Daemon ('up2'): a restore target (restoreclient=$CLIENT2)
Client {
  Name = $CLIENT2
  Address = 127.0.0.1
  FDPort = $FD2_PORT
  Catalog = PhpcCatalog
  Password = "$PW_FD"
  File Retention = 10 years
  Job Retention = 10 years
  AutoPrune = no
  Maximum Concurrent Jobs = $MAX_JOBS
}

Storage {
  Name = PhpcFile
  Address = 127.0.0.1
  SDPort = $SD_PORT
  Password = "$PW_SD"
  Device = PhpcFileDev
  Media Type = PhpcFile
  Maximum Concurrent Jobs = $MAX_JOBS
}

Pool {
  Name = PhpcPool
  Pool Type = Backup
  Storage = PhpcFile
  Label Format = "PhpcVol-"         # auto-labelling (SD Device has LabelMedia = yes)
  Recycle = yes
  AutoPrune = no
  Volume Retention = 10 years
  Maximum Volume Bytes = 20G
  Maximum Volumes = 10000
}

Messages {
  Name = Standard
  console = all, !skipped, !saved
  append = "$LOGD/bacula.log" = all, !skipped
  catalog = all, !skipped, !saved
}

Messages {
  Name = Daemon
  console = all, !skipped, !saved
  append = "$LOGD/bacula.log" = all, !skipped
}

JobDefs {
  Name = PhpcJobDefs
  Type = Backup
  Level = Full
  Client = $CLIENT
  Storage = PhpcFile
  Pool = PhpcPool
  Messages = Standard
  Priority = 10
  Maximum Concurrent Jobs = $MAX_JOBS
  Allow Duplicate Jobs = yes
  Spool Attributes = yes
  Write Bootstrap = "$WORK/dir/%n.bsr"
}

# placeholder FileSet so the Restore job below is valid
FileSet {
  Name = PhpcRestoreSet
  Include {
    Options {
      signature = MD5
    }
    File = "$ETC"
  }
}

Job {
  Name = $RESTOREJOB
  Type = Restore
  Client = $CLIENT
  Storage = PhpcFile
  Pool = PhpcPool
  FileSet = PhpcRestoreSet
  Messages = Standard
  Where = "$STATE/restores"
  Maximum Concurrent Jobs = $MAX_JOBS
}

# Jobs/FileSets created by 'backup' / 'backup-plugin' / 'estimate*' (one file
# each in $ETC/jobs.d, concatenated into dynamic.conf, then 'reload').
@$ETC/dynamic.conf
EOF

  cat > "$o/bacula-sd.conf" <<EOF
# generated by podheitor-hpc bacula-harness.sh -- private Storage Daemon
Storage {
  Name = phpc-sd
  SDPort = $SD_PORT
  SDAddress = 127.0.0.1
  WorkingDirectory = "$WORK/sd"
  Pid Directory = "$RUN"
  Maximum Concurrent Jobs = $((MAX_JOBS * 2))
}

Director {
  Name = phpc-dir
  Password = "$PW_SD"
}

Device {
  Name = PhpcFileDev
  Media Type = PhpcFile
  Device Type = File
  Archive Device = "$STATE/storage"
  LabelMedia = yes
  Random Access = yes
  AutomaticMount = yes
  RemovableMedia = no
  AlwaysOpen = no
  Maximum Concurrent Jobs = $MAX_JOBS
}

Messages {
  Name = Standard
  director = phpc-dir = all
}
EOF

  fd_conf "$CLIENT" "$FD_PORT" "$WORK/fd" "$PLUGDIR" "private File Daemon (runs as root)" > "$o/bacula-fd.conf"
  fd_conf "$CLIENT2" "$FD2_PORT" "$WORK/fd2" "$PLUGDIR2" "second private File Daemon ('up2')" > "$o/bacula-fd2.conf"

  cat > "$o/bconsole.conf" <<EOF
# generated by podheitor-hpc bacula-harness.sh
Director {
  Name = phpc-dir
  DIRport = $DIR_PORT
  Address = 127.0.0.1
  Password = "$PW_CONSOLE"
}
EOF
}

regen_dynamic() {
  local tmp=$ETC/dynamic.conf.tmp.$$ f
  : > "$tmp"
  for f in "$ETC"/jobs.d/*.conf; do
    [ -f "$f" ] || continue
    cat "$f" >> "$tmp"; echo >> "$tmp"
  done
  mv -f "$tmp" "$ETC/dynamic.conf"
}

init_catalog() {
  [ -s "$DB" ] && return 0
  local mk=/usr/share/bacula-director/make_sqlite3_tables
  [ -f "$mk" ] || die "$mk missing (install bacula-director-sqlite3: scripts/install-deps.sh)"
  info "creating SQLite catalog $DB"
  # the Debian script hard-codes 'cd /var/lib/bacula' and a dbname placeholder;
  # take only the SQL between its here-doc markers.
  sed -n '/<<END-OF-DATA/,/^END-OF-DATA/p' "$mk" | sed '1d;$d' | sqlite3 -batch "$DB" \
    || { rm -f "$DB"; die "catalog creation failed"; }
  local v
  v=$(sqlite3 "$DB" 'SELECT VersionId FROM Version') || die "catalog unreadable"
  info "catalog version $v"
}

# copy the plugin .so into $PLUGDIR (regular file; replaced atomically, never
# rewritten in place, because a running bacula-fd has it mapped).
# Prints "changed" when the plugin directory content changed.
install_plugin() {
  local src=$PLUGIN_SO dst=$PLUGDIR/$PLUGIN_SO_NAME
  mkdir -p "$PLUGDIR"
  if [ -f "$src" ]; then
    if [ ! -f "$dst" ] || [ -L "$dst" ] || ! cmp -s "$src" "$dst"; then
      cp -f -- "$src" "$dst.tmp.$$"
      chmod 644 "$dst.tmp.$$"
      mv -f -- "$dst.tmp.$$" "$dst"
      info "plugin: copied $src -> $dst"
      echo changed
    fi
  else
    warn "plugin $src not found (build it: scripts/build.sh); bacula-fd runs without it, plugin jobs will fail"
    if [ -e "$dst" ]; then
      rm -f -- "$dst"
      echo changed
    fi
  fi
  return 0
}

# ---------------------------------------------------------------- daemons ----
start_daemon() { # d
  local d=$1 bin port conf pid pf log i
  bin=$(daemon_bin "$d"); port=$(daemon_port "$d"); conf=$(daemon_conf "$d")
  pf=$(pidfile "$d"); log=$LOGD/bacula-$d.out
  pid=$(daemon_pid "$d")
  if [ -n "$pid" ]; then
    if port_listening "$port"; then info "bacula-$d already running (pid $pid, port $port)"; return 0; fi
    die "bacula-$d pid $pid alive but port $port not listening; check $log, then 'bacula-harness.sh down'"
  fi
  if port_listening "$port"; then
    die "port $port already in use by another process (ss -ltnp 'sport = :$port'); set PHPC_${d^^}_PORT"
  fi
  [ -x "$bin" ] || die "bacula-$d binary $bin not executable"
  local -a dbg=()
  [ "$d" = fd ] && [ "${FD_DEBUG:-0}" != 0 ] && dbg=(-d "$FD_DEBUG" -dt)
  echo "=== $(date -Is) starting $bin -f -c $conf ${dbg[*]}" >> "$log"
  # -f: foreground, so $! is the daemon itself; setsid: own session, so it
  # survives this shell. stdin/stdout/stderr detached from the caller's pipes;
  # cwd = its working directory (not the caller's, which may go away).
  local here=$PWD
  cd "$WORK/$d"
  setsid "${BH_START_PREFIX[@]}" "$bin" -f -c "$conf" "${dbg[@]}" < /dev/null >> "$log" 2>&1 &
  pid=$!
  cd "$here"
  echo "$pid" > "$pf"
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pf"
      echo "---- tail $log" >&2; tail -n 20 "$log" >&2
      die "bacula-$d exited during startup"
    fi
    port_listening "$port" && break
    sleep 0.1
  done
  port_listening "$port" || die "bacula-$d (pid $pid) not listening on 127.0.0.1:$port after 30 s; see $log"
  # cross-check with the daemon's own pid file (bacula-<d>.<port>.pid)
  local own
  own=$(cat "$RUN/bacula-$d.$port.pid" 2>/dev/null || true)
  if [ -n "$own" ] && [ "$own" != "$pid" ]; then
    warn "bacula-$d own pid file says $own, we started $pid; using $own"
    echo "$own" > "$pf"; pid=$own
  fi
  info "bacula-$d started (pid $pid, 127.0.0.1:$port)"
}

stop_daemon() { # d
  local d=$1 pid pf i
  pf=$(pidfile "$d")
  pid=$(daemon_pid "$d")
  if [ -z "$pid" ]; then
    [ -f "$pf" ] && { info "bacula-$d not running (stale $pf removed)"; rm -f "$pf"; }
    return 0
  fi
  # the FD's descendants (plugin backends): remembered with their start
  # times, so that leftovers can be stopped by PID without hitting a reused PID
  local -a kids=() kst=()
  if [ "$d" = fd ]; then
    bh_descendants "$pid"
    local k
    for k in "${BH_DESC[@]}"; do kids+=("$k"); kst+=("$(proc_starttime "$k")"); done
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    warn "bacula-$d (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pf"
  info "bacula-$d stopped (pid $pid)"
  local j
  for ((j = 0; j < ${#kids[@]}; j++)); do
    if [ -n "${kst[j]}" ] && [ "$(proc_starttime "${kids[j]}")" = "${kst[j]}" ]; then
      warn "stopping leftover bacula-fd child pid ${kids[j]}"
      kill -TERM "${kids[j]}" 2>/dev/null || true
      sleep 1
      [ "$(proc_starttime "${kids[j]}")" = "${kst[j]}" ] && kill -KILL "${kids[j]}" 2>/dev/null || true
    fi
  done
  return 0
}

test_conf() { # d conf
  local d=$1 conf=$2 out
  if ! out=$("$(daemon_bin "$d")" -t -c "$conf" 2>&1); then
    echo "$out" >&2
    die "configuration test failed for bacula-$d ($conf)"
  fi
}

# ---------------------------------------------------------------- commands ---
cmd_up() {
  is_root || die "the harness runs bacula-fd as root: run as root"
  need bconsole "package bacula-console"; need sqlite3 "package sqlite3"; need setsid
  mkdir -p "$ETC/jobs.d" "$RUN" "$LOGD" "$WORK/dir" "$WORK/sd" "$WORK/fd" "$WORK/fd2" "$STATE/storage" \
           "$STATE/restores" "$PLUGDIR"
  chmod 700 "$STATE" "$ETC"
  # settings: environment > defaults; only the passwords are kept from an
  # existing harness.env (the old values are used to stop daemons whose
  # port/binary/debug level changed)
  local old_DIR_PORT='' old_FD_PORT='' old_SD_PORT='' old_FD_DEBUG=''
  local old_DIR_BIN='' old_SD_BIN='' old_FD_BIN=''
  local PW_CONSOLE='' PW_FD='' PW_SD=''
  if [ -f "$ENVF" ]; then
    eval "$(sed -n 's/^\(DIR_PORT\|FD_PORT\|SD_PORT\|FD_DEBUG\|DIR_BIN\|SD_BIN\|FD_BIN\)=/old_\1=/p; s/^\(PW_[A-Z]*\)=/\1=/p' "$ENVF")"
  fi
  DIR_PORT=${PHPC_DIR_PORT:-19101}
  FD_PORT=${PHPC_FD_PORT:-19102}
  FD2_PORT=${PHPC_FD2_PORT:-$((FD_PORT + 5))}
  SD_PORT=${PHPC_SD_PORT:-19103}
  MAX_JOBS=${PHPC_MAX_JOBS:-10}
  FD_DEBUG=${PHPC_FD_DEBUG:-0}
  PLUGIN_SO=${PHPC_PLUGIN_SO:-$PHPC_ROOT/shim-c/build/$PLUGIN_SO_NAME}
  local p
  for p in "$DIR_PORT" "$FD_PORT" "$SD_PORT" "$MAX_JOBS" "$FD_DEBUG"; do
    [[ "$p" =~ ^[0-9]+$ ]] || die "PHPC_DIR_PORT/FD_PORT/SD_PORT/MAX_JOBS/FD_DEBUG must be numbers (got '$p')"
  done
  case "$PLUGIN_SO" in /*) ;; *) PLUGIN_SO=$PWD/$PLUGIN_SO;; esac
  DIR_BIN=$(find_bin bacula-dir "${BACULA_DIR_BIN:-}")
  SD_BIN=$(find_bin bacula-sd "${BACULA_SD_BIN:-}")
  FD_BIN=$(find_bin bacula-fd "${BACULA_FD_BIN:-}")
  PW_CONSOLE=${PW_CONSOLE:-$(gen_pw)}; PW_FD=${PW_FD:-$(gen_pw)}; PW_SD=${PW_SD:-$(gen_pw)}

  cat > "$ENVF.tmp" <<EOF
# generated by 'bacula-harness.sh up' -- the other commands read this file
DIR_PORT=$DIR_PORT
FD_PORT=$FD_PORT
FD2_PORT=$FD2_PORT
SD_PORT=$SD_PORT
MAX_JOBS=$MAX_JOBS
FD_DEBUG=$FD_DEBUG
PLUGIN_SO=$(printf '%q' "$PLUGIN_SO")
DIR_BIN=$DIR_BIN
SD_BIN=$SD_BIN
FD_BIN=$FD_BIN
PW_CONSOLE=$PW_CONSOLE
PW_FD=$PW_FD
PW_SD=$PW_SD
EOF
  chmod 600 "$ENVF.tmp"
  # a daemon whose port, binary or debug level changed is stopped here, with
  # the old values; config-only changes are handled below by comparing configs
  local d ov nv ob nb
  for d in fd sd dir; do
    ov=old_${d^^}_PORT; nv=${d^^}_PORT; ob=old_${d^^}_BIN; nb=${d^^}_BIN
    if [ -n "${!ov}" ] && { [ "${!ov}" != "${!nv}" ] || [ "${!ob}" != "${!nb}" ] ||
         { [ "$d" = fd ] && [ "${old_FD_DEBUG:-0}" != "$FD_DEBUG" ]; }; }; then
      local keep_port=${!nv} keep_bin=${!nb}
      printf -v "$nv" '%s' "${!ov}"; printf -v "$nb" '%s' "${!ob}"
      if [ -n "$(daemon_pid "$d")" ]; then info "port/binary/debug level of bacula-$d changed: stopping it"; stop_daemon "$d"; fi
      printf -v "$nv" '%s' "$keep_port"; printf -v "$nb" '%s' "$keep_bin"
    fi
  done
  mv -f "$ENVF.tmp" "$ENVF"

  [ -f "$ETC/query.sql" ] || : > "$ETC/query.sql"
  [ -f "$ETC/dynamic.conf" ] || regen_dynamic
  init_catalog            # 'bacula-dir -t' opens the catalog, so create it first
  local new=$ETC/.new.$$
  rm -rf "$ETC"/.new.*
  write_configs "$new"
  local f changed=()
  for d in dir sd fd fd2; do
    f=$(basename "$(daemon_conf "$d")")
    test_conf "$d" "$new/$f"
    if ! cmp -s "$new/$f" "$ETC/$f"; then changed+=("$d"); fi
    mv -f "$new/$f" "$ETC/$f"
  done
  mv -f "$new/bconsole.conf" "$ETC/bconsole.conf"
  rmdir "$new"
  chmod 600 "$ETC"/*.conf

  # the FD loads its plugins at start: restart it when the .so changed
  if [ -n "$(install_plugin)" ]; then changed+=(fd); fi
  for d in "${changed[@]}"; do
    if [ -n "$(daemon_pid "$d")" ]; then info "config/plugin of bacula-$d changed: restarting"; stop_daemon "$d"; fi
  done
  # pre-flight: every port we must bind is free (or already ours)
  for d in sd fd dir; do
    if [ -z "$(daemon_pid "$d")" ] && port_listening "$(daemon_port "$d")"; then
      die "port $(daemon_port "$d") (bacula-$d) already in use by another process; set PHPC_${d^^}_PORT=<free port>"
    fi
  done
  start_daemon sd
  start_daemon fd
  start_daemon dir
  local out
  out=$(bcmd "version" 2>&1) || true
  echo "$out" | grep -q 'Version' || { echo "$out" >&2; die "bconsole cannot talk to the director"; }
  info "up: $(echo "$out" | grep -m1 Version)"
  info "PHPC_STATE=$STATE  dir=127.0.0.1:$DIR_PORT fd=127.0.0.1:$FD_PORT sd=127.0.0.1:$SD_PORT"
  if cmd_plugin_loaded; then
    info "plugin: bacula-fd loaded $PLUGDIR/$PLUGIN_SO_NAME"
  else
    warn "plugin: bacula-fd did NOT load $PLUGIN_SO_NAME (source $PLUGIN_SO; FD log $LOGD/bacula-fd.out)"
  fi
  return 0
}

cmd_down() {
  if [ ! -f "$ENVF" ]; then info "no harness in $STATE (nothing to stop)"; return 0; fi
  load_env
  local d
  for d in dir fd2 fd sd; do stop_daemon "$d"; done
}

# command prefix of start_daemon (up2 --no-dac)
BH_START_PREFIX=()
NO_DAC_PREFIX=(setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search --)

# does PID run without CAP_DAC_OVERRIDE (bit 1) and CAP_DAC_READ_SEARCH (bit 2) in its bounding set?
pid_no_dac() {
  local b
  b=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$b" ] && (( (16#$b & 6) == 0 ))
}

# a second bacula-fd (Client $CLIENT2, port $FD2_PORT, its own working and plugin
# directories) for restores to another client: restore ... restoreclient=$CLIENT2,
# and (--no-dac) for jobs that must meet file permissions like a squashed root
cmd_up2() {
  require_up
  local nodac=0 pid
  case "${1:-}" in
    "") ;;
    --no-dac) nodac=1; need setpriv "package util-linux";;
    *) die "usage: up2 [--no-dac]";;
  esac
  mkdir -p "$WORK/fd2" "$PLUGDIR2"
  if [ -f "$PLUGIN_SO" ] && ! cmp -s "$PLUGIN_SO" "$PLUGDIR2/$PLUGIN_SO_NAME"; then
    cp -f -- "$PLUGIN_SO" "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$"
    chmod 644 "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$"
    mv -f -- "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$" "$PLUGDIR2/$PLUGIN_SO_NAME"
    [ -z "$(daemon_pid fd2)" ] || stop_daemon fd2
  fi
  pid=$(daemon_pid fd2)
  if [ -n "$pid" ]; then
    local running=0               # 1: the running one has no DAC capabilities
    pid_no_dac "$pid" && running=1
    if [ "$running" != "$nodac" ]; then
      info "bacula-fd2 runs $([ $running = 1 ] && echo without || echo with) the DAC capabilities: restarting it"
      stop_daemon fd2
    fi
  fi
  [ $nodac = 0 ] || BH_START_PREFIX=("${NO_DAC_PREFIX[@]}")
  start_daemon fd2
  BH_START_PREFIX=()
  pid=$(daemon_pid fd2)
  if [ $nodac = 1 ] && ! pid_no_dac "$pid"; then
    die "bacula-fd2 (pid $pid) still has CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH"
  fi
  bcmd "status client=$CLIENT2" 2>/dev/null | grep -E '^ *Plugin:' | grep -q 'podheitor-hpc' \
    || warn "plugin: the second bacula-fd did NOT load $PLUGIN_SO_NAME (log $LOGD/bacula-fd2.out)"
}

cmd_down2() {
  load_env
  stop_daemon fd2
}

cmd_clean() {
  cmd_down
  case "$STATE" in /|/tmp|/root|/home|/usr|/var|/etc|"") die "refusing to delete PHPC_STATE=$STATE";; esac
  rm -rf -- "$STATE"
  info "removed $STATE"
}

cmd_pids() {
  load_env
  echo "dir=$(daemon_pid dir) sd=$(daemon_pid sd) fd=$(daemon_pid fd)"
}

cmd_backend_pids() {
  load_env
  local fdpid
  fdpid=$(daemon_pid fd)
  [ -n "$fdpid" ] || die "bacula-fd is not running"
  bh_descendants "$fdpid"
  [ ${#BH_DESC[@]} -eq 0 ] || printf '%s\n' "${BH_DESC[@]}"
}

cmd_plugin_loaded() {
  load_env
  [ -n "$(daemon_pid fd)" ] && [ -n "$(daemon_pid dir)" ] || return 1
  # 'status client' prints " Plugin: podheitor-hpc-fd.so(...)" for loaded plugins
  bcmd "status client=$CLIENT" 2>/dev/null | grep -E '^ *Plugin:' | grep -q 'podheitor-hpc'
}

cmd_status() {
  load_env
  local d pid
  for d in dir sd fd; do
    pid=$(daemon_pid "$d")
    local l=NOT-listening
    if port_listening "$(daemon_port "$d")"; then
      if [ -n "$pid" ]; then l=listening; else l="in use by ANOTHER process"; fi
    fi
    printf 'bacula-%-3s pid=%-8s port=%s %s\n' "$d" "${pid:--}" "$(daemon_port "$d")" "$l"
  done
  if [ -n "$(daemon_pid dir)" ]; then
    if cmd_plugin_loaded; then echo "plugin: loaded ($PLUGDIR/$PLUGIN_SO_NAME)";
    else echo "plugin: NOT loaded (source $PLUGIN_SO)"; fi
    bcmd "status dir" | sed -n '/^Running Jobs:/,/^====/p'
  fi
  return 0
}

require_up() {
  load_env
  local d
  for d in dir sd fd; do
    [ -n "$(daemon_pid "$d")" ] || die "bacula-$d is not running (run: bacula-harness.sh up)"
  done
}

# add/refresh a job definition file and make the director load it
define_job() { # name content
  local name=$1 content=$2 f=$ETC/jobs.d/$1.conf lk
  exec {lk}> "$RUN/config.lock"
  flock -w 120 "$lk" || die "could not lock $RUN/config.lock"
  if [ ! -f "$f" ] || [ "$(cat "$f")" != "$content" ] || ! bcmd ".jobs" 2>/dev/null | grep -qx "$name"; then
    printf '%s\n' "$content" > "$f.tmp"
    mv -f "$f.tmp" "$f"
    regen_dynamic
    test_conf dir "$ETC/bacula-dir.conf"
    local out
    out=$(bcmd "reload" 2>&1)
    if echo "$out" | grep -qiE 'error|failed'; then echo "$out" >&2; exec {lk}>&-; die "director reload failed"; fi
  fi
  local i
  for ((i = 0; i < 50; i++)); do
    if bcmd ".jobs" 2>/dev/null | grep -qx "$name"; then exec {lk}>&-; return 0; fi
    sleep 0.2
  done
  exec {lk}>&-
  die "director does not know job $name after reload"
}

proc_cpu_ticks() { # pid -> "utime stime cutime cstime" in ticks
  local rest
  local -a st
  read -r rest 2>/dev/null < "/proc/$1/stat" || { echo "0 0 0 0"; return; }
  rest=${rest##*) }
  read -r -a st <<< "$rest"
  echo "${st[11]} ${st[12]} ${st[13]} ${st[14]}"
}
cpu_delta() { # "u0 s0 cu0 cs0" "u1 s1 cu1 cs1" ticks [split|children]
  awk -v a="$1" -v b="$2" -v t="$3" -v m="${4:-}" 'BEGIN{
    split(a, x, " "); split(b, y, " ")
    if (m == "children") { printf "%.2f", ((y[3]-x[3]) + (y[4]-x[4]))/t; exit }
    u=(y[1]-x[1])/t; s=(y[2]-x[2])/t
    if (m == "split") printf "%.2f (user %.2f sys %.2f)", u+s, u, s; else printf "%.2f", u+s }'
}
proc_status_kb() { # pid key
  awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

# Samples bacula-fd every IV seconds (fork-free) until STOP exists. Output
# lines: "time rchar wchar cpu_ticks backend_max_hwm_kB ndesc backend_pids"
# where backend_max_hwm_kB is the max VmHWM seen so far over all descendants
# of the FD (the plugin backend is a java child of bacula-fd).
sampler() { # pid out stopfile interval
  local pid=$1 out=$2 stop=$3 iv=$4 k v rc wc sfd rest c maxh=0 h pids
  local -a st
  # 'read -t' on a pipe nobody writes to = a sleep that forks no process
  exec {sfd}<> <(:)
  while [ ! -e "$stop" ] && [ -d "/proc/$pid" ]; do
    rc=0 wc=0
    while read -r k v; do
      case $k in rchar:) rc=$v;; wchar:) wc=$v;; esac
    done < "/proc/$pid/io"
    read -r rest 2>/dev/null < "/proc/$pid/stat" || true
    rest=${rest##*) }
    read -r -a st <<< "$rest"
    bh_descendants "$pid"
    pids=""
    for c in "${BH_DESC[@]}"; do
      h=0
      while read -r k v _; do
        [ "$k" = VmHWM: ] && { h=$v; break; }
      done 2>/dev/null < "/proc/$c/status" || true   # the child may have exited
      [ "$h" -gt "$maxh" ] && maxh=$h
      pids+=${pids:+,}$c
    done
    echo "$EPOCHREALTIME $rc $wc $(( st[11] + st[12] )) $maxh ${#BH_DESC[@]} ${pids:--}"
    read -r -t "$iv" -u "$sfd" _ || true
  done > "$out"
  exec {sfd}>&-
}

job_status_text() {
  case "$1" in
    T) echo "OK";; W) echo "OK with warnings";; E) echo "Error";; e) echo "Non-fatal error";;
    f) echo "Fatal error";; A) echo "Canceled";; R) echo "Running";; C) echo "Created";; *) echo "?";;
  esac
}

# run job NAME (already defined) at LEVEL -- or, for kind=restore, the bconsole
# restore command NAME --, wait, print the result. Returns 1 unless T/W.
run_and_report() { # kind name level label [jobname]
  local kind=$1 name=$2 level=$3 label=$4 jobname=${5:-$2}
  local fdpid sdpid dirpid
  fdpid=$(daemon_pid fd); sdpid=$(daemon_pid sd); dirpid=$(daemon_pid dir)
  local tck; tck=$(getconf CLK_TCK)
  local fd0 sd0 dir0 p
  # reset the peak-RSS counters so VmHWM covers this job only (Linux >= 4.0)
  for p in "$fdpid" "$sdpid" "$dirpid"; do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true; done
  fd0=$(proc_cpu_ticks "$fdpid"); sd0=$(proc_cpu_ticks "$sdpid"); dir0=$(proc_cpu_ticks "$dirpid")
  local samp=$RUN/sample.$$ stop=$RUN/sample.$$.stop
  rm -f "$samp" "$stop"
  sampler "$fdpid" "$samp" "$stop" "${SAMPLE_INTERVAL:-0.05}" &
  local spid=$!
  local t0 out jobid
  t0=$EPOCHREALTIME
  if [ "$kind" = restore ]; then
    out=$(bcmd "$name" 2>&1) || true
  else
    out=$(bcmd "run job=$name level=$level yes" 2>&1) || true
  fi
  jobid=$(echo "$out" | sed -n 's/.*Job queued\. JobId=\([0-9][0-9]*\).*/\1/p' | tail -1)
  if [ -z "$jobid" ]; then
    touch "$stop"; wait "$spid" 2>/dev/null || true; rm -f "$samp" "$stop"
    echo "$out" >&2
    die "job was not queued"
  fi
  echo "$jobid" > "$RUN/last-jobid"
  info "JobId=$jobid queued ($kind $label); waiting..."
  # 'wait jobid=N' returns when the job has terminated; timeout(1) 0 = no limit
  local wt=${JOB_TIMEOUT:-0} wrc=0
  printf 'wait jobid=%s\n' "$jobid" | timeout "$wt" bconsole -n -c "$ETC/bconsole.conf" >/dev/null 2>&1 || wrc=$?
  if [ "$wrc" = 124 ]; then
    warn "job $jobid exceeded JOB_TIMEOUT=$wt s: cancelling it"
    bcmd "cancel jobid=$jobid yes" >/dev/null 2>&1 || true
  elif [ "$wrc" != 0 ]; then
    warn "bconsole 'wait jobid=$jobid' exited with $wrc; polling the catalog instead"
  fi
  # the director may report completion slightly before the catalog row is final
  local st="" i
  for ((i = 0; i < 600; i++)); do
    st=$(sql "SELECT JobStatus FROM Job WHERE JobId=$jobid" 2>/dev/null || true)
    case "$st" in T|W|E|e|f|A|I) break;; esac
    sleep 0.5
  done
  local t1=$EPOCHREALTIME
  touch "$stop"; wait "$spid" 2>/dev/null || true
  local fd1 sd1 dir1 hwm rss sdhwm dirhwm fdalive=yes
  [ -d "/proc/$fdpid" ] || fdalive=no
  fd1=$(proc_cpu_ticks "$fdpid"); sd1=$(proc_cpu_ticks "$sdpid"); dir1=$(proc_cpu_ticks "$dirpid")
  hwm=$(proc_status_kb "$fdpid" VmHWM); rss=$(proc_status_kb "$fdpid" VmRSS)
  sdhwm=$(proc_status_kb "$sdpid" VmHWM); dirhwm=$(proc_status_kb "$dirpid" VmHWM)

  local row
  row=$(sql "SELECT JobStatus, Level, JobFiles, JobBytes, ReadBytes, JobErrors,
                    StartTime, EndTime,
                    CAST(strftime('%s',EndTime) AS INTEGER) - CAST(strftime('%s',StartTime) AS INTEGER),
                    Job
             FROM Job WHERE JobId=$jobid")
  local JobStatus Level JobFiles JobBytes ReadBytes JobErrors StartTime EndTime Elapsed Job
  IFS=$'\t' read -r JobStatus Level JobFiles JobBytes ReadBytes JobErrors StartTime EndTime Elapsed Job <<< "$row"
  local wall fdact bkhwm bkpids
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  # FD active window: first..last sample in which bacula-fd's wchar (bytes
  # written to its sockets) grew
  fdact=$(awk '
      NR==1 {w=$3; next}
      $3 != w { if (!f) f=prev; l=$1; w=$3 }
      {prev=$1}
      END { if (f) printf "%.2f", l-f; else print "0" }' "$samp" 2>/dev/null || echo 0)
  bkhwm=$(awk 'END { print ($5 == "" ? 0 : $5) }' "$samp" 2>/dev/null || echo 0)
  bkpids=$(awk '$7 != "-" { n = split($7, a, ","); for (i = 1; i <= n; i++) if (!(a[i] in s)) { s[a[i]]; o = o (o ? "," : "") a[i] } }
                END { print (o ? o : "-") }' "$samp" 2>/dev/null || echo -)
  rm -f "$samp" "$stop"
  local fdcpu sdcpu dircpu bkcpu fdsplit sdsplit
  fdcpu=$(cpu_delta "$fd0" "$fd1" "$tck")
  sdcpu=$(cpu_delta "$sd0" "$sd1" "$tck")
  dircpu=$(cpu_delta "$dir0" "$dir1" "$tck")
  bkcpu=$(cpu_delta "$fd0" "$fd1" "$tck" children)
  fdsplit=$(cpu_delta "$fd0" "$fd1" "$tck" split)
  sdsplit=$(cpu_delta "$sd0" "$sd1" "$tck" split)
  local el=${Elapsed:-0}; [ "$el" -gt 0 ] 2>/dev/null || el=1
  local fps mbps fps_fd mbps_fd
  fps=$(awk -v n="${JobFiles:-0}" -v s="$el" 'BEGIN{printf "%.0f", n/s}')
  mbps=$(awk -v n="${JobBytes:-0}" -v s="$el" 'BEGIN{printf "%.2f", n/1e6/s}')
  fps_fd=$(awk -v n="${JobFiles:-0}" -v s="$fdact" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "-"}')
  mbps_fd=$(awk -v n="${JobBytes:-0}" -v s="$fdact" 'BEGIN{ if (s>0) printf "%.2f", n/1e6/s; else print "-"}')

  cmd_joblog "$jobid" > "$LOGD/job-$jobid.log" 2>/dev/null || true

  echo "JobId=$jobid"
  echo "Job=$Job"
  echo "JobName=$jobname"
  echo "Kind=$kind Level=$Level Target=$label"
  echo "JobStatus=$JobStatus ($(job_status_text "$JobStatus"))"
  echo "JobFiles=$JobFiles"
  echo "JobBytes=$JobBytes"
  [ "$kind" != restore ] && echo "ReadBytes=$ReadBytes"
  echo "JobErrors=$JobErrors"
  echo "StartTime=$StartTime EndTime=$EndTime"
  echo "Elapsed_s=$Elapsed          (catalog EndTime-StartTime, 1 s resolution)"
  echo "Wall_s=$wall             (harness: 'run' sent .. job terminated)"
  echo "FD_active_s=$fdact        (bacula-fd socket writes first..last, ${SAMPLE_INTERVAL:-0.05} s sampling)"
  echo "Files_per_s=$fps          (JobFiles/Elapsed_s)"
  echo "MB_per_s=$mbps            (JobBytes/1e6/Elapsed_s)"
  echo "FD_files_per_s=$fps_fd    (JobFiles/FD_active_s)"
  echo "FD_MB_per_s=$mbps_fd"
  echo "CPU_s fd=$fdcpu sd=$sdcpu dir=$dircpu backend=$bkcpu   (fd: $fdsplit; sd: $sdsplit; backend = reaped children of the FD)"
  echo "Peak_RSS_kB fd=$hwm sd=$sdhwm dir=$dirhwm   (VmHWM during the job; fd VmRSS now=$rss)"
  echo "Backend_peak_RSS_kB=$bkhwm   (max VmHWM over bacula-fd's descendants during the job; pids: $bkpids)"
  [ "$fdalive" = yes ] || echo "FD_ALIVE=no   (bacula-fd pid $fdpid is gone!)"
  echo "Log=$LOGD/job-$jobid.log"
  grep -E '^ *(FD Files Written|SD Files Written|FD Bytes Written|SD Bytes Written|Rate|Elapsed time|Software Compression|Non-fatal FD errors|Termination|Files Expected|Files Restored|Bytes Restored):' \
    "$LOGD/job-$jobid.log" 2>/dev/null | sed 's/^ */  report: /' || true

  [ -f "$RESULTS" ] || printf 'jobid\tkind\tlevel\ttarget\tstatus\tfiles\tbytes\telapsed_s\twall_s\tfd_active_s\tfiles_per_s\tMB_per_s\tfd_cpu_s\tsd_cpu_s\tdir_cpu_s\tbackend_cpu_s\tfd_vmhwm_kB\tbackend_vmhwm_kB\tstart\n' > "$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$jobid" "$kind" "$Level" "$label" "$JobStatus" "$JobFiles" "$JobBytes" "$Elapsed" "$wall" "$fdact" \
    "$fps" "$mbps" "$fdcpu" "$sdcpu" "$dircpu" "$bkcpu" "$hwm" "$bkhwm" "$StartTime" >> "$RESULTS"

  case "$JobStatus" in
    T|W) return 0;;
    *) echo "---- job $jobid failed; messages (full log: bacula-harness.sh joblog $jobid) ----" >&2
       sed -n '/Bacula phpc-dir .*(/q; p' "$LOGD/job-$jobid.log" | tail -n 25 >&2
       grep -E '^ *(FD|SD) termination status:|^ *Termination:' "$LOGD/job-$jobid.log" >&2 || true
       return 1;;
  esac
}

norm_level() {
  case "${1,,}" in
    ""|f|full) echo Full;;
    i|inc|incr|incremental) echo Incremental;;
    d|diff|differential) echo Differential;;
    *) die "unknown level '$1' (Full|Incremental|Differential)";;
  esac
}

conf_quote() { # escape for a "..." Bacula config string
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '%s' "$s"
}

# Defines (FileSet + Job) for a stock path or a plugin string; sets JOB_NAME.
# kind: file|plugin; extra Job directives ("Accurate=yes") are part of the name hash,
# and so are FS_OPTIONS (text put verbatim into the Include block before the default
# Options block, e.g. 'Options { WildFile = "*.o"; Exclude = yes }'), FS_EXCLUDE (lines
# of an Exclude { } block) and FS_IGNORE_CHANGES=yes ('Ignore FileSet Changes = yes').
# JOB_NAME_AS=NAME uses NAME instead of the hashed name (the same Job with another FileSet).
prepare_job() { # kind target directive...
  local kind=$1 target=$2; shift 2
  local acl=${ACL:-no} xattr=${XATTR:-no} sparse=${SPARSE:-no}
  local fsopts=${FS_OPTIONS:-} fsexcl=${FS_EXCLUDE:-} fsign=${FS_IGNORE_CHANGES:-no}
  local h base dirs="" dv
  for dv in "$@"; do
    [[ "$dv" == *=* ]] || die "job directive '$dv' is not KEY=VALUE"
    dirs+="  $dv"$'\n'
  done
  h=$(printf '%s|%s|acl=%s|xattr=%s|sparse=%s|%s' "$kind" "$target" "$acl" "$xattr" "$sparse" "$*" | md5sum | cut -c1-8)
  if [ -n "$fsopts$fsexcl" ] || [ "$fsign" != no ]; then   # (unchanged names for the default FileSet)
    h=$(printf '%s|opts=%s|excl=%s|ign=%s' "$h" "$fsopts" "$fsexcl" "$fsign" | md5sum | cut -c1-8)
  fi
  if [ "$kind" = plugin ]; then
    base=${target%%:*}
  else
    base=$(basename "$target")
  fi
  base=$(printf '%s' "$base" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-40)
  local prefix=bk; [ "$kind" = plugin ] && prefix=pl
  JOB_NAME="$prefix-$base-$h"
  if [ -n "${JOB_NAME_AS:-}" ]; then
    [[ "$JOB_NAME_AS" =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad JOB_NAME_AS '$JOB_NAME_AS'"
    JOB_NAME=$JOB_NAME_AS
  fi
  local incl
  if [ "$kind" = plugin ]; then
    incl="    Plugin = \"$(conf_quote "$target")\""
  else
    incl="    File = \"$(conf_quote "$target")\""
  fi
  local fsign_l="" fsopts_l="" fsexcl_l=""
  [ "$fsign" != no ] && fsign_l="  Ignore FileSet Changes = $fsign"$'\n'
  [ -n "$fsopts" ] && fsopts_l="    $fsopts"$'\n'
  [ -n "$fsexcl" ] && fsexcl_l="  Exclude {"$'\n'"    $fsexcl"$'\n'"  }"$'\n'
  local content
  content=$(cat <<EOF
# bacula-harness.sh $kind $target $*
FileSet {
  Name = "fs-$JOB_NAME"
${fsign_l}  Include {
${fsopts_l}    Options {
      signature = MD5
      aclsupport = $acl
      xattrsupport = $xattr
      sparse = $sparse
    }
$incl
  }
${fsexcl_l}}
Job {
  Name = "$JOB_NAME"
  JobDefs = PhpcJobDefs
  FileSet = "fs-$JOB_NAME"
${dirs}}
EOF
)
  define_job "$JOB_NAME" "$content"
}

abs_path() { # existing path -> absolute (symlinks in the last component kept)
  local p=$1 d
  [ -e "$p" ] || [ -L "$p" ] || die "no such path: $p"
  d=$(cd "$(dirname -- "$p")" && pwd)
  p=$d/$(basename -- "$p")
  p=${p%/.}
  echo "${p/#\/\//\/}"
}

cmd_backup() {
  [ $# -ge 1 ] || die "usage: backup PATH [LEVEL] [DIRECTIVE...]"
  require_up
  local path level
  path=$(abs_path "$1")
  level=$(norm_level "${2:-Full}")
  shift; [ $# -gt 0 ] && shift
  prepare_job file "$path" "$@"
  run_and_report backup "$JOB_NAME" "$level" "$path"
}

cmd_backup_plugin() {
  [ $# -ge 1 ] || die "usage: backup-plugin 'PLUGIN STRING' [LEVEL] [DIRECTIVE...]"
  require_up
  local ps=$1 level
  level=$(norm_level "${2:-Full}")
  shift; [ $# -gt 0 ] && shift
  prepare_job plugin "$ps" "$@"
  run_and_report backup "$JOB_NAME" "$level" "plugin:$ps"
}

# bconsole estimate; prints the (listing) output and a final
# "Estimate_files=N Estimate_bytes=M" line (from "2000 OK estimate files=N bytes=M").
run_estimate() { # jobname listing(0|1) level
  local name=$1 listing=$2 level=$3 out lst=""
  [ "$listing" = 1 ] && lst=" listing"
  out=$(JOB_TIMEOUT=${JOB_TIMEOUT:-0}; printf 'estimate job=%s level=%s%s\n' "$name" "$level" "$lst" \
        | timeout "${JOB_TIMEOUT:-0}" bconsole -n -c "$ETC/bconsole.conf" 2>&1) || true
  # drop bconsole's connection banner and prompts
  printf '%s\n' "$out" | sed -e '/^Connecting to Director /d' -e '/^1000 OK: /d' -e '/^Enter a period /d' \
    -e '/^Using Catalog /d' -e '/^Connecting to Client /d' -e '/^You have messages\./d' \
    -e '/^estimate job=/d' -e '/^\*$/d'
  local n b
  n=$(printf '%s\n' "$out" | sed -n 's/.*2000 OK estimate files=\([0-9,]*\) bytes=\([0-9,]*\).*/\1/p' | tail -1)
  b=$(printf '%s\n' "$out" | sed -n 's/.*2000 OK estimate files=\([0-9,]*\) bytes=\([0-9,]*\).*/\2/p' | tail -1)
  if [ -z "$n" ]; then
    echo "Estimate_files=- Estimate_bytes=- (no '2000 OK estimate' line: the estimate failed)"
    return 1
  fi
  echo "Estimate_files=${n//,/} Estimate_bytes=${b//,/}"
}

cmd_estimate() {
  [ $# -ge 1 ] || die "usage: estimate PATH [listing] [LEVEL] [DIRECTIVE...]"
  require_up
  local path listing=0 level
  path=$(abs_path "$1"); shift
  if [ "${1:-}" = listing ]; then listing=1; shift; fi
  level=$(norm_level "${1:-Full}"); [ $# -gt 0 ] && shift
  prepare_job file "$path" "$@"
  run_estimate "$JOB_NAME" "$listing" "$level"
}

cmd_estimate_plugin() {
  [ $# -ge 1 ] || die "usage: estimate-plugin 'PLUGIN STRING' [listing] [LEVEL] [DIRECTIVE...]"
  require_up
  local ps=$1 listing=0 level; shift
  if [ "${1:-}" = listing ]; then listing=1; shift; fi
  level=$(norm_level "${1:-Full}"); [ $# -gt 0 ] && shift
  prepare_job plugin "$ps" "$@"
  run_estimate "$JOB_NAME" "$listing" "$level"
}

restore_dest() { # dest -> absolute, created
  local dest=$1
  mkdir -p -- "$dest"
  dest=$(cd -- "$dest" && pwd)
  [[ "$dest" == *'"'* ]] && die "DEST must not contain double quotes"
  echo "$dest"
}

cmd_restore() {
  [ $# -ge 2 ] || die "usage: restore JOBID DEST [bconsole restore args...]"
  require_up
  local jobid=$1 dest=$2 js; shift 2
  [[ "$jobid" =~ ^[0-9]+$ ]] || die "JOBID must be a number"
  js=$(sql "SELECT JobStatus||' '||Type FROM Job WHERE JobId=$jobid")
  [ -n "$js" ] || die "JobId $jobid not in catalog"
  case "$js" in "T B"|"W B") ;; *) warn "JobId $jobid status/type is '$js' (expected 'T B')";; esac
  dest=$(restore_dest "$dest")
  local extra="$*"
  run_and_report restore "restore jobid=$jobid client=$CLIENT restorejob=$RESTOREJOB where=\"$dest\"${extra:+ $extra} all done yes" \
    Full "jobid=$jobid -> $dest" "$RESTOREJOB"
}

# restore of marked entries: the bconsole file-selection commands (cd DIR, mark NAME,
# unmark ..., one a line) come on stdin; 'done' and 'yes' are appended.
cmd_restore_select() {
  [ $# -ge 2 ] || die "usage: restore-select JOBID DEST [bconsole restore args...] < selection"
  require_up
  local jobid=$1 dest=$2 sel; shift 2
  [[ "$jobid" =~ ^[0-9]+$ ]] || die "JOBID must be a number"
  [ -n "$(sql "SELECT JobId FROM Job WHERE JobId=$jobid")" ] || die "JobId $jobid not in catalog"
  dest=$(restore_dest "$dest")
  sel=$(cat)
  local extra="$*"
  run_and_report restore "restore jobid=$jobid client=$CLIENT restorejob=$RESTOREJOB where=\"$dest\"${extra:+ $extra}"$'\n'"$sel"$'\n'"done"$'\n'"yes" \
    Full "jobid=$jobid (selected) -> $dest" "$RESTOREJOB"
}

job_column() { # command column JOBID -> that column of the job's catalog row
  local cmd=$1 col=$2; shift 2
  [ $# -eq 1 ] && [[ "$1" =~ ^[0-9]+$ ]] || die "usage: $cmd JOBID"
  load_env
  local v
  v=$(sql "SELECT $col FROM Job WHERE JobId=$1")
  [ -n "$v" ] || die "JobId $1 not in catalog"
  echo "$v"
}

cmd_jobname() { job_column jobname Name "$@"; }

# A bootstrap for some FileIndexes of one job, from the catalog's JobMedia rows (what
# the Director writes for a restore, restricted to those FileIndexes).
write_bsr() { # jobid fileindex-list(comma separated) out
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

cmd_restore_latest() {
  [ $# -ge 2 ] || die "usage: restore-latest JOBNAME|JOBID DEST [bconsole restore args...]"
  require_up
  local name=$1 dest=$2 fs; shift 2
  if [[ "$name" =~ ^[0-9]+$ ]]; then name=$(cmd_jobname "$name"); fi
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad job name '$name'"
  fs=$(sql "SELECT FileSet.FileSet FROM Job JOIN FileSet ON FileSet.FileSetId = Job.FileSetId
             WHERE Job.Name = '$name' AND Job.Type = 'B' AND Job.JobStatus IN ('T','W')
             ORDER BY Job.JobId DESC LIMIT 1")
  [ -n "$fs" ] || die "no successful backup of job '$name' in the catalog"
  local chain
  chain=$(sql "SELECT group_concat(JobId || Level, ' ') FROM (SELECT JobId, Level FROM Job
                WHERE Name = '$name' AND Type = 'B' AND JobStatus IN ('T','W') ORDER BY JobId)")
  info "restore-latest: job $name fileset $fs (backups: $chain)"
  dest=$(restore_dest "$dest")
  local extra="$*"
  # 'current' = the most recent backup state of this client+fileset: the last
  # Full and the Differential/Incrementals after it
  run_and_report restore "restore client=$CLIENT fileset=\"$fs\" restorejob=$RESTOREJOB where=\"$dest\"${extra:+ $extra} current select all done yes" \
    Full "latest $name -> $dest" "$RESTOREJOB"
}

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
      sql "SELECT Path.Path || Filename.Name FROM File
             JOIN Path ON Path.PathId = File.PathId
             JOIN Filename ON Filename.FilenameId = File.FilenameId
            WHERE File.JobId = $jobid ORDER BY 1";;
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

cmd_joblog() {
  [ $# -eq 1 ] && [[ "$1" =~ ^[0-9]+$ ]] || die "usage: joblog JOBID"
  load_env
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

cmd_console() {
  require_up
  if [ $# -gt 0 ]; then bcmd "$@"; else bcon; fi
}

bh_main() {
  local c=${1:-help}; shift || true
  case "$c" in
    up) cmd_up "$@";;
    down) cmd_down "$@";;
    up2) cmd_up2 "$@";;
    down2) cmd_down2 "$@";;
    clean) cmd_clean "$@";;
    status) cmd_status "$@";;
    pids) cmd_pids "$@";;
    backend-pids) cmd_backend_pids "$@";;
    plugin-loaded) cmd_plugin_loaded "$@";;
    backup) cmd_backup "$@";;
    backup-plugin) cmd_backup_plugin "$@";;
    estimate) cmd_estimate "$@";;
    estimate-plugin) cmd_estimate_plugin "$@";;
    restore) cmd_restore "$@";;
    restore-bsr) cmd_restore_bsr "$@";;
    restore-latest) cmd_restore_latest "$@";;
    restore-select) cmd_restore_select "$@";;
    jobname) cmd_jobname "$@";;
    verify) cmd_verify "$@";;
    list-files) cmd_list_files "$@";;
    find-list) cmd_find_list "$@";;
    parity) cmd_parity "$@";;
    joblog) cmd_joblog "$@";;
    jobstatus) cmd_jobstatus "$@";;
    query|sql) cmd_query "$@";;
    console|bconsole) cmd_console "$@";;
    help|-h|--help) usage;;
    *) usage >&2; die "unknown command '$c'";;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -Eeuo pipefail
  PHPC_PROG=bacula-harness.sh
  bh_main "$@"
fi
