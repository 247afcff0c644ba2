# shellcheck shell=bash
# bacula-daemons.sh -- part of the podheitor-hpc Bacula test harness. Sourced by
# bacula-harness.sh (the entry point: command line, help text, settings,
# sourcing contract); defines functions only and runs nothing itself.
#
# Owns the DAEMON LIFECYCLE: finding the binaries, pid files and the PID
# checks against /proc/PID/exe, the process-tree helpers (bh_children,
# bh_descendants, proc_starttime), installing the plugin .so, start/stop of
# one daemon, and the commands up, down, up2, down2, clean, reset-catalog, pids,
# backend-pids, plugin-loaded, status (and require_up). The PostgreSQL server of
# PHPC_CATALOG=pgsql is bacula-pgsql.sh's; 'up' starts it first, 'down' stops it last.

# ------------------------------------------------ binaries, ports, pid files ----
find_bin() { # name override
  local name=$1 over=${2:-} c
  for c in "$over" "$(command -v "$name" 2>/dev/null || true)" "/usr/sbin/$name"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  local pkg=$name
  case $name in bacula-dir) pkg=bacula-director;; esac
  die "$name not found (install package $pkg: scripts/install-deps.sh)"
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

# -------------------------------------------------------------- process tree ----
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

# -------------------------------------------------------------------- plugin ----
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

# -------------------------------------------------------------- start / stop ----
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
  local -a dbg=() pre=()
  [ "$d" = fd ] && [ "${FD_DEBUG:-0}" != 0 ] && dbg=(-d "$FD_DEBUG" -dt)
  [ "$d" = dir ] && pre=("${BH_DIR_ENV[@]}")   # the catalog backend (PHPC_CATALOG=pgsql: env LD_LIBRARY_PATH=...)
  echo "=== $(date -Is) starting $bin -f -c $conf ${dbg[*]}" >> "$log"
  # -f: foreground, so $! is the daemon itself; setsid: own session, so it
  # survives this shell. stdin/stdout/stderr detached from the caller's pipes;
  # cwd = its working directory (not the caller's, which may go away).
  local here=$PWD
  # shellcheck disable=SC2164  # bh_main runs under set -e
  cd "$WORK/$d"
  # BH_RUN: nothing for 9.6; for 15 the runner that execs the daemon inside the root (bacula-rootfs.sh)
  setsid "${BH_START_PREFIX[@]}" "${BH_RUN[@]}" "${pre[@]}" "$(bh_exe "$bin")" -f -c "$conf" "${dbg[@]}" < /dev/null >> "$log" 2>&1 &
  pid=$!
  # shellcheck disable=SC2164  # back to the caller's directory (set -e as above)
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
      # shellcheck disable=SC2015  # '|| true': the KILL is best effort
      [ "$(proc_starttime "${kids[j]}")" = "${kst[j]}" ] && kill -KILL "${kids[j]}" 2>/dev/null || true
    fi
  done
  return 0
}

# ------------------------------------------------------------------ commands ----
cmd_up() {
  is_root || die "the harness runs bacula-fd as root: run as root"
  BACULA=${PHPC_BACULA:-9.6}
  ROOTFS=${PHPC_ROOTFS:-/var/lib/podheitor-hpc/roots/trixie}
  ROOTFS=${ROOTFS%/}
  ROOTFS_BINDS=${PHPC_ROOTFS_BINDS:-}
  case " $BACULA_VERSIONS " in *" $BACULA "*) ;; *) die "PHPC_BACULA must be one of: $BACULA_VERSIONS (got '$BACULA')";; esac
  if [ "$BACULA" = 9.6 ]; then
    ROOTFS=""; ROOTFS_BINDS=""
    need bconsole "package bacula-console"
  else
    bh_rootfs_check
  fi
  CATALOG=${PHPC_CATALOG:-sqlite}
  case $CATALOG in sqlite|pgsql) ;; *) die "PHPC_CATALOG must be sqlite or pgsql (got '$CATALOG')";; esac
  if [ "$CATALOG" = sqlite ]; then need sqlite3 "package sqlite3"; fi
  need setsid
  ensure_state_dir "$STATE"   # created root's own, or refused if someone else could have made it
  mkdir -p "$ETC/jobs.d" "$RUN" "$LOGD" "$WORK/dir" "$WORK/sd" "$WORK/fd" "$WORK/fd2" "$STATE/storage" \
           "$STATE/restores" "$PLUGDIR"
  chmod 700 "$STATE" "$ETC"
  # settings: environment > defaults; only the passwords are kept from an
  # existing harness.env (the old values are used to stop daemons whose
  # port/binary/debug level changed)
  # shellcheck disable=SC2034  # old_* are read indirectly (${!ov}, ${!ob})
  local old_DIR_PORT='' old_FD_PORT='' old_SD_PORT='' old_FD_DEBUG=''
  # shellcheck disable=SC2034  # (same)
  local old_DIR_BIN='' old_SD_BIN='' old_FD_BIN='' old_BACULA='' old_ROOTFS_BINDS='' old_CATALOG=''
  local PW_CONSOLE='' PW_FD='' PW_SD=''
  if [ -f "$ENVF" ]; then
    eval "$(sed -n 's/^\(DIR_PORT\|FD_PORT\|SD_PORT\|FD_DEBUG\|DIR_BIN\|SD_BIN\|FD_BIN\|BACULA\|ROOTFS_BINDS\|CATALOG\)=/old_\1=/p; s/^\(PW_[A-Z]*\)=/\1=/p' "$ENVF")"
  fi
  # the catalog's schema belongs to one version (9.6 has a Filename table, 15 does not), and it is one kind
  local oldcat=${old_CATALOG:-sqlite}
  if catalog_exists "$oldcat" && [ "$oldcat" != "$CATALOG" ]; then
    die "$STATE holds a $oldcat catalog; PHPC_CATALOG=$CATALOG needs another PHPC_STATE (or 'bacula-harness.sh clean' first)"
  fi
  if catalog_exists "$oldcat" && [ "${old_BACULA:-9.6}" != "$BACULA" ]; then
    die "$STATE holds a Bacula ${old_BACULA:-9.6} catalog; PHPC_BACULA=$BACULA needs another PHPC_STATE (or 'bacula-harness.sh clean' first)"
  fi
  DIR_PORT=${PHPC_DIR_PORT:-19101}
  FD_PORT=${PHPC_FD_PORT:-19102}
  FD2_PORT=${PHPC_FD2_PORT:-$((FD_PORT + 5))}
  SD_PORT=${PHPC_SD_PORT:-19103}
  MAX_JOBS=${PHPC_MAX_JOBS:-10}
  DEVICES=${PHPC_DEVICES:-1}
  PG_PORT=${PHPC_PG_PORT:-$((DIR_PORT + 4))}
  FD_DEBUG=${PHPC_FD_DEBUG:-0}
  PLUGIN_SO=${PHPC_PLUGIN_SO:-$PHPC_ROOT/shim-c/build/$PLUGIN_SO_NAME}
  local p
  for p in "$DIR_PORT" "$FD_PORT" "$SD_PORT" "$MAX_JOBS" "$FD_DEBUG" "$DEVICES" "$PG_PORT"; do
    [[ "$p" =~ ^[0-9]+$ ]] || die "PHPC_DIR_PORT/FD_PORT/SD_PORT/MAX_JOBS/FD_DEBUG/DEVICES/PG_PORT must be numbers (got '$p')"
  done
  [ "$MAX_JOBS" -ge 1 ] && [ "$DEVICES" -ge 1 ] && [ "$DEVICES" -le 64 ] || die "PHPC_MAX_JOBS must be >= 1, PHPC_DEVICES 1..64"
  PG_USER='' PG_BIN='' PG_LIBDIR=''
  if [ "$CATALOG" = pgsql ]; then
    PG_USER=${PHPC_PG_USER:-postgres}
    [[ "$PG_USER" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "bad PHPC_PG_USER '$PG_USER'"
    PG_BIN=$(pg_find_bin)
    PG_LIBDIR=$(pg_backend_libdir)
  fi
  case "$PLUGIN_SO" in /*) ;; *) PLUGIN_SO=$PWD/$PLUGIN_SO;; esac
  if [ "$BACULA" = 9.6 ]; then
    DIR_BIN=$(find_bin bacula-dir "${BACULA_DIR_BIN:-}")
    SD_BIN=$(find_bin bacula-sd "${BACULA_SD_BIN:-}")
    FD_BIN=$(find_bin bacula-fd "${BACULA_FD_BIN:-}")
  else
    # host paths of the root's binaries (bh_exe gives the path they run under inside the root)
    DIR_BIN=$ROOTFS/usr/sbin/bacula-dir SD_BIN=$ROOTFS/usr/sbin/bacula-sd FD_BIN=$ROOTFS/usr/sbin/bacula-fd
  fi
  PW_CONSOLE=${PW_CONSOLE:-$(gen_pw)}; PW_FD=${PW_FD:-$(gen_pw)}; PW_SD=${PW_SD:-$(gen_pw)}

  cat > "$ENVF.tmp" <<EOF
# generated by 'bacula-harness.sh up' -- the other commands read this file
DIR_PORT=$DIR_PORT
FD_PORT=$FD_PORT
FD2_PORT=$FD2_PORT
SD_PORT=$SD_PORT
MAX_JOBS=$MAX_JOBS
DEVICES=$DEVICES
CATALOG=$CATALOG
PG_PORT=$PG_PORT
PG_USER=$PG_USER
PG_BIN=$(printf '%q' "$PG_BIN")
PG_LIBDIR=$(printf '%q' "$PG_LIBDIR")
FD_DEBUG=$FD_DEBUG
PLUGIN_SO=$(printf '%q' "$PLUGIN_SO")
BACULA=$BACULA
ROOTFS=$(printf '%q' "$ROOTFS")
ROOTFS_BINDS=$(printf '%q' "$ROOTFS_BINDS")
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
         { [ "$d" = fd ] && { [ "${old_FD_DEBUG:-0}" != "$FD_DEBUG" ] || [ "$old_ROOTFS_BINDS" != "$ROOTFS_BINDS" ]; }; }; }; then
      local keep_port=${!nv} keep_bin=${!nb}
      printf -v "$nv" '%s' "${!ov}"; printf -v "$nb" '%s' "${!ob}"
      if [ -n "$(daemon_pid "$d")" ]; then info "port/binary/debug level of bacula-$d changed: stopping it"; stop_daemon "$d"; fi
      printf -v "$nv" '%s' "$keep_port"; printf -v "$nb" '%s' "$keep_bin"
    fi
  done
  mv -f "$ENVF.tmp" "$ENVF"
  bh_version_setup
  bh_catalog_setup
  bh_state_share          # 15: later mounts below $STATE must reach the daemons' namespaces

  [ -f "$ETC/query.sql" ] || : > "$ETC/query.sql"
  [ -f "$ETC/dynamic.conf" ] || regen_dynamic
  [ -f "$ETC/include.conf" ] || : > "$ETC/include.conf"
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
  info "up: $(echo "$out" | grep -m1 Version)${ROOTFS:+ (from $ROOTFS)}"
  info "PHPC_STATE=$STATE  dir=127.0.0.1:$DIR_PORT fd=127.0.0.1:$FD_PORT sd=127.0.0.1:$SD_PORT"
  if [ "$CATALOG" = pgsql ]; then
    info "catalog: PostgreSQL (pid $(pg_pid), socket $(pg_sock)/.s.PGSQL.$PG_PORT), Director backend $PG_LIBDIR"
  fi
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
  # the catalog server last (the Director has let go of it); by its PID file, whatever PHPC_CATALOG says now
  if [ -n "${PG_BIN:-}" ]; then pg_stop; fi
  bh_state_unshare
}

# command prefix of start_daemon (up2 --no-dac)
BH_START_PREFIX=()
# shellcheck disable=SC2054  # the commas belong to setpriv's capability lists
NO_DAC_PREFIX=(setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search --)

# does PID run without CAP_DAC_OVERRIDE (bit 1) and CAP_DAC_READ_SEARCH (bit 2) in its bounding set?
pid_no_dac() {
  local b
  b=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$b" ] && (( (16#$b & 6) == 0 ))
}

# a second bacula-fd (Client $CLIENT2, port $FD2_PORT, its own working and plugin
# directories) for restores to another client: restore ... restoreclient=$CLIENT2,
# and (--no-dac) for jobs that must meet file permissions like a squashed root.
# --plugin-dir DIR: its Plugin Directory is DIR, used as it is (e.g. the PLUGIN_DIR of
# scripts/install.sh; nothing is copied into it); without it, $PLUGDIR2 with a copy of
# $PLUGIN_SO, as before. Each call writes etc/bacula-fd2.conf for its choice and
# restarts a running fd2 whose configuration (or DAC mode) differs.
# --env NAME=VALUE (repeatable): in fd2's environment (and so its plugin backends'), as a site sets it in the
# bacula-fd service (e.g. PHPC_LIBLUSTREAPI); a running fd2 started with another environment is restarted.
cmd_up2() {
  require_up
  local nodac=0 pdir=$PLUGDIR2 pid
  local -a fdenv=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-dac) nodac=1; need setpriv "package util-linux";;
      --env)
        [ $# -ge 2 ] && [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "usage: up2 --env NAME=VALUE"
        fdenv+=("$2"); shift;;
      --plugin-dir)
        [ $# -ge 2 ] || die "usage: up2 [--no-dac] [--plugin-dir DIR]"
        pdir=$2; shift
        case "$pdir" in /*) ;; *) die "up2 --plugin-dir: '$pdir' is not an absolute path";; esac
        [ -d "$pdir" ] || die "up2 --plugin-dir: $pdir is not a directory"
        pdir=${pdir%/};;
      *) die "usage: up2 [--no-dac] [--plugin-dir DIR] [--env NAME=VALUE]...";;
    esac
    shift
  done
  mkdir -p "$WORK/fd2" "$PLUGDIR2"
  # the configuration for this plugin directory; a running fd2 with another one is restarted
  local conf new
  conf=$(daemon_conf fd2); new=$conf.new.$$
  fd_conf "$CLIENT2" "$FD2_PORT" "$WORK/fd2" "$pdir" "second private File Daemon ('up2')" > "$new"
  chmod 600 "$new"
  ( test_conf fd2 "$new" ) || { rm -f -- "$new"; die "up2: no valid configuration for the second bacula-fd"; }
  if ! cmp -s "$new" "$conf"; then
    [ -z "$(daemon_pid fd2)" ] || { info "bacula-fd2: Plugin Directory now $pdir: restarting it"; stop_daemon fd2; }
    mv -f -- "$new" "$conf"
  else
    rm -f -- "$new"
  fi
  if [ "$pdir" = "$PLUGDIR2" ] && [ -f "$PLUGIN_SO" ] && ! cmp -s "$PLUGIN_SO" "$PLUGDIR2/$PLUGIN_SO_NAME"; then
    cp -f -- "$PLUGIN_SO" "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$"
    chmod 644 "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$"
    mv -f -- "$PLUGDIR2/$PLUGIN_SO_NAME.tmp.$$" "$PLUGDIR2/$PLUGIN_SO_NAME"
    [ -z "$(daemon_pid fd2)" ] || stop_daemon fd2
  fi
  local envf=$WORK/fd2.env
  if [ "$(cat "$envf" 2>/dev/null)" != "$(printf '%s\n' "${fdenv[@]}")" ]; then
    [ -z "$(daemon_pid fd2)" ] || { info "bacula-fd2: another environment: restarting it"; stop_daemon fd2; }
  fi
  printf '%s\n' "${fdenv[@]}" > "$envf"
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
  [ ${#fdenv[@]} = 0 ] || BH_START_PREFIX=(env "${fdenv[@]}" "${BH_START_PREFIX[@]}")
  start_daemon fd2
  BH_START_PREFIX=()
  pid=$(daemon_pid fd2)
  if [ $nodac = 1 ] && ! pid_no_dac "$pid"; then
    die "bacula-fd2 (pid $pid) still has CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH"
  fi
  bcmd "status client=$CLIENT2" 2>/dev/null | grep -E '^ *Plugin:' | grep -q -E "$(bh_plugin_listed_re)" \
    || warn "plugin: the second bacula-fd did NOT load $PLUGIN_SO_NAME from $pdir (log $LOGD/bacula-fd2.out)"
}

cmd_down2() {
  load_env
  stop_daemon fd2
}

cmd_clean() {
  cmd_down
  case "$STATE" in /|/tmp|/root|/home|/usr|/var|/etc|"") die "refusing to delete PHPC_STATE=$STATE";; esac
  if [ -e "$STATE" ] || [ -L "$STATE" ]; then ensure_state_dir --check "$STATE"; fi   # never someone else's
  bh_state_unshare        # (left by a run that was killed before 'down')
  rm -rf -- "$STATE"
  info "removed $STATE"
}

# down, then the volumes and the catalog that names them (the SQLite file, or the PostgreSQL cluster): the next
# 'up' starts with an empty catalog; configs, passwords and job definitions stay
cmd_reset_catalog() {
  [ $# -eq 0 ] || die "usage: reset-catalog"
  cmd_down
  [ -f "$ENVF" ] || return 0
  rm -rf -- "$STATE/storage" "$DB" "$STATE/pgsql"
  mkdir -p "$STATE/storage"
  info "removed the volumes and the catalog in $STATE"
}

cmd_pids() {
  load_env
  echo "dir=$(daemon_pid dir) sd=$(daemon_pid sd) fd=$(daemon_pid fd)${PG_BIN:+ pg=$(pg_pid)}"
}

cmd_backend_pids() { # [fd2]
  load_env
  local d=fd fdpid
  case "${1:-}" in "") ;; fd2) d=fd2;; *) die "usage: backend-pids [fd2]";; esac
  fdpid=$(daemon_pid "$d")
  [ -n "$fdpid" ] || die "bacula-$d is not running"
  bh_descendants "$fdpid"
  [ ${#BH_DESC[@]} -eq 0 ] || printf '%s\n' "${BH_DESC[@]}"
}

cmd_plugin_loaded() {
  load_env
  [ -n "$(daemon_pid fd)" ] && [ -n "$(daemon_pid dir)" ] || return 1
  bcmd "status client=$CLIENT" 2>/dev/null | grep -E '^ *Plugin:' | grep -q -E "$(bh_plugin_listed_re)"
}

# how 'status client' lists the loaded plugin on its " Plugin:" line (docs/abi.md §1.6):
# 9.6 the file name, podheitor-hpc-fd.so; 15 the name without -fd.so and pInfo.plugin_version, podheitor-hpc(1.0)
bh_plugin_listed_re() {
  if [ "${BACULA:-9.6}" = 9.6 ]; then echo '(^|[ :])podheitor-hpc-fd\.so'; else echo '(^|[ :])podheitor-hpc\([^)]*\)'; fi
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
  if [ "${CATALOG:-sqlite}" = pgsql ]; then
    pid=$(pg_pid)
    printf 'postgres   pid=%-8s socket=%s %s\n' "${pid:--}" "$(pg_sock)/.s.PGSQL.$PG_PORT" \
      "$([ -n "$pid" ] && echo running || echo NOT-running)"
  else
    echo "catalog: SQLite $DB"
  fi
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
  if [ "${CATALOG:-sqlite}" = pgsql ] && [ -z "$(pg_pid)" ]; then
    die "the catalog's postgres is not running (run: bacula-harness.sh up)"
  fi
}
