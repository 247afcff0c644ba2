# shellcheck shell=bash
# The Debian package (scripts/package.sh), as an administrator gets it.
#
#   test 90  builds build/podheitor-hpc_<version>_amd64.deb and checks what is in it: root's files, none group- or
#            other-writable, the .so in /usr/lib/bacula naming the packaged backend, the runtime, and a man page
#            per command (the top page lists every command the CLI has).
#   test 91  bookworm (Bacula 9.6.7, FD plugin interface 14) and
#   test 92  trixie (Bacula 15.0.3, interface 23), the same test: a private Debian root without bacula-fd; the
#            .deb installed into it with apt-get (which brings bacula-fd, its dependency); that root's own
#            bacula-dir/sd/fd started INSIDE it on private 127.0.0.1 ports with a minimal configuration;
#            `podheitor-hpc doctor` inside the root must be all OK, naming the FD's interface, that the .so accepts
#            it and that the running FD has loaded the .so; a plugin backup and restore of a small tree through the
#            INSTALLED .so and backend, whose /proc/PID/exe (the packaged runtime's java) and cmdline (the packaged
#            jars) are checked while each job runs; the restore verified byte for byte; then dpkg --purge, after
#            which no path of `dpkg -L` (nor the crash log directory the postinst made) is left, except
#            directories other packages own. (A plugin that REJECTS the FD's interface: tests 44 and JUnit.)
#
# The roots: mmdebstrap of SUITE with the Director, SD and console (not the FD: the package brings it) takes a
# minute or more, so the bare root is made once by scripts/mkroot.sh into PHPC_ROOTS/pkg-SUITE (reused while its
# stamp matches, like the Bacula 15 root) and each run installs into a fresh copy of it below IT_STATE.
# IT_PKG_FRESH=1 makes each run's root with mmdebstrap itself instead.
#
# Everything of a root runs inside it: each command through pkg_in_root (chroot, with a clean environment, in a
# private mount namespace whose /proc the kernel unmounts when its last process exits, so no mount outlives
# the test). Daemons and backends are stopped by PID (a trap, also on failure or interrupt), then any process
# still running in the root; the copy is deleted unless IT_PKG_KEEP_ROOTS=1.
#
# The package does not depend on the harness's Bacula: under PHPC_BACULA=15 (scripts/test.sh's second run of
# the suite) tests 90-92 are skipped, saying so; they run in the 9.6 part.
# env: IT_PKG_MIRROR (default PHPC_DEBIAN_MIRROR or http://deb.debian.org/debian), PHPC_ROOTS
#      (default /var/lib/podheitor-hpc/roots), IT_PKG_FRESH=1, IT_PKG_KEEP_ROOTS=1, IT_PKG_STARTUP=1 (bookworm:
#      also time the CLI's start-up, packaged runtime with and without its AOT cache, for docs/layout.md).

PKG_LIB=/usr/lib/podheitor-hpc
PKG_ETC=/etc/podheitor-test          # in the root: the daemons' configs
PKG_VAR=/var/lib/podheitor-test      # in the root: working dirs, catalog, volumes, logs

# ------------------------------------------------------------------------------------------------ seams ----

# what a root has before the package: Bacula's Director (SQLite), Storage Daemon and console; the FD comes with
# the package, as its dependency
PKG_ROOT_PACKAGES=(bacula-director bacula-director-sqlite3 bacula-sd bacula-console sqlite3)

# Makes a Debian root of SUITE in DIR (which must not exist): a copy of the bare root scripts/mkroot.sh keeps in
# PHPC_ROOTS/pkg-SUITE (made there first when missing or stale), or with IT_PKG_FRESH=1 mmdebstrap into DIR.
pkg_mkroot() { # suite dir
  local mirror=${IT_PKG_MIRROR:-${PHPC_DEBIAN_MIRROR:-http://deb.debian.org/debian}}
  if [ "${IT_PKG_FRESH:-0}" = 1 ]; then
    mmdebstrap --quiet --variant=apt --include="$(IFS=,; echo "${PKG_ROOT_PACKAGES[*]}")" "$1" "$2" "$mirror"
    return
  fi
  local base
  base=$(PHPC_DEBIAN_MIRROR=$mirror "$ROOT/scripts/mkroot.sh" "$1" \
           "${PHPC_ROOTS:-/var/lib/podheitor-hpc/roots}/pkg-$1" "${PKG_ROOT_PACKAGES[@]}" | tail -n 1) || return 1
  [ -f "$base/.phpc-root" ] || { echo "scripts/mkroot.sh made no root ($base)" >&2; return 1; }
  mkdir -p -- "$2"
  cp -a --reflink=auto -- "$base/." "$2/" || return 1
  rm -f -- "$2/.phpc-root"
}

# CMD inside ROOT: chroot with a clean environment, in a private mount namespace with its own /proc (and /dev
# bound in when the root has no device nodes); the namespace and its mounts end with the command.
pkg_in_root() { # root cmd...
  local root=$1; shift
  unshare --mount --propagation private -- /bin/sh -c '
    r=$0
    mount -t proc proc "$r/proc" || exit 125
    [ -c "$r/dev/null" ] || mount --rbind /dev "$r/dev" || exit 125
    exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive "$@"' "$root" "$@"
}

PKG_PIDS=()
PKG_ROOT=
# Starts the root's bacula-sd, bacula-fd and bacula-dir inside it (configs in ROOT$PKG_ETC); their PIDs go to
# PKG_PIDS (each is the daemon itself: setsid, unshare, sh, chroot and env all exec).
pkg_root_start() { # root dirport fdport sdport
  local root=$1 d port pid i
  for d in sd fd dir; do
    case $d in dir) port=$2;; fd) port=$3;; sd) port=$4;; esac
    setsid unshare --mount --propagation private -- /bin/sh -c '
      r=$0; d=$1
      mount -t proc proc "$r/proc" || exit 125
      [ -c "$r/dev/null" ] || mount --rbind /dev "$r/dev" || exit 125
      cd "$r'"$PKG_VAR"'/$d" || exit 125
      exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        /usr/sbin/bacula-$d -f -c '"$PKG_ETC"'/bacula-$d.conf' "$root" "$d" \
      < /dev/null >> "$root$PKG_VAR/log/bacula-$d.out" 2>&1 &
    pid=$!
    PKG_PIDS+=("$pid")
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || { note "bacula-$d exited: $(tail -n 5 "$root$PKG_VAR/log/bacula-$d.out")"; return 1; }
      ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN && break
      sleep 0.1
    done
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN || { note "bacula-$d not listening on $port"; return 1; }
    [ "$(readlink "/proc/$pid/exe")" = "$root/usr/sbin/bacula-$d" ] \
      || { note "pid $pid is $(readlink "/proc/$pid/exe"), not the root's bacula-$d"; return 1; }
    note "$(basename "$root"): bacula-$d pid $pid on 127.0.0.1:$port"
  done
}

# Stops what pkg_root_start started, by PID: TERM, up to 20 s, KILL; then their descendants (backends) and any
# other process whose root is ROOT (all started by this test).
pkg_root_stop() { # root
  local root=$1 pid i kids=() p
  local -a ch
  for pid in "${PKG_PIDS[@]}"; do
    read -r -a ch < <(cat /proc/"$pid"/task/*/children 2>/dev/null | tr '\n' ' '; echo) || true
    kids+=("${ch[@]}")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PKG_PIDS[@]}"; do
    for ((i = 0; i < 200; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ ! -d "/proc/$pid" ] || { note "pid $pid ignored SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  done
  PKG_PIDS=()
  for p in "${kids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [ -n "$root" ] && [ -d "$root" ] || return 0
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
      note "stopping leftover process ${p#/proc/} in $root: $(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-80)"
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
}

# ------------------------------------------------------------------------------------------------ helpers ----

pkg_deb() { load_ctx package_deb; }

pkg_write_configs() { # root dirport fdport sdport
  local root=$1 pwc pwf pws
  pwc=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9); pwf=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
  pws=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
  install -d -m 700 "$root$PKG_ETC"
  install -d -m 755 "$root$PKG_VAR" "$root$PKG_VAR/dir" "$root$PKG_VAR/sd" "$root$PKG_VAR/fd" "$root$PKG_VAR/run" \
    "$root$PKG_VAR/log" "$root$PKG_VAR/storage"
  : > "$root$PKG_ETC/query.sql"
  cat > "$root$PKG_ETC/bacula-dir.conf" <<EOF
Director {
  Name = pkg-dir
  DIRport = $2
  DirAddress = 127.0.0.1
  QueryFile = "$PKG_ETC/query.sql"
  WorkingDirectory = "$PKG_VAR/dir"
  PidDirectory = "$PKG_VAR/run"
  Password = "$pwc"
  Messages = Daemon
}
Catalog {
  Name = PkgCatalog
  dbname = "bacula"; dbuser = ""; dbpassword = ""
}
Client {
  Name = pkg-fd
  Address = 127.0.0.1
  FDPort = $3
  Catalog = PkgCatalog
  Password = "$pwf"
  AutoPrune = no
}
Storage {
  Name = PkgFile
  Address = 127.0.0.1
  SDPort = $4
  Password = "$pws"
  Device = PkgDev
  Media Type = PkgFile
}
Pool {
  Name = PkgPool
  Pool Type = Backup
  Label Format = "PkgVol-"
  AutoPrune = no
  Maximum Volume Bytes = 2G
}
Messages {
  Name = Standard
  console = all, !skipped, !saved
  append = "$PKG_VAR/log/bacula.log" = all, !skipped
  catalog = all, !skipped, !saved
}
Messages {
  Name = Daemon
  console = all, !skipped, !saved
  append = "$PKG_VAR/log/bacula.log" = all, !skipped
}
FileSet {
  Name = PkgPlugin
  Include {
    Options {
      signature = MD5
    }
    Plugin = "podheitor-hpc:path=/srv/tree"
  }
}
Job {
  Name = pkg-backup
  Type = Backup
  Level = Full
  Client = pkg-fd
  FileSet = PkgPlugin
  Storage = PkgFile
  Pool = PkgPool
  Messages = Standard
  Write Bootstrap = "$PKG_VAR/dir/%n.bsr"
}
FileSet {
  Name = PkgRestoreSet
  Include {
    File = "$PKG_ETC"
  }
}
Job {
  Name = pkg-restore
  Type = Restore
  Client = pkg-fd
  FileSet = PkgRestoreSet
  Storage = PkgFile
  Pool = PkgPool
  Messages = Standard
  Where = /srv/restore
}
EOF
  cat > "$root$PKG_ETC/bacula-sd.conf" <<EOF
Storage {
  Name = pkg-sd
  SDPort = $4
  SDAddress = 127.0.0.1
  WorkingDirectory = "$PKG_VAR/sd"
  Pid Directory = "$PKG_VAR/run"
}
Director {
  Name = pkg-dir
  Password = "$pws"
}
Device {
  Name = PkgDev
  Media Type = PkgFile
  Device Type = File
  Archive Device = "$PKG_VAR/storage"
  LabelMedia = yes
  Random Access = yes
  AutomaticMount = yes
  RemovableMedia = no
  AlwaysOpen = no
}
Messages {
  Name = Standard
  director = pkg-dir = all
}
EOF
  cat > "$root$PKG_ETC/bacula-fd.conf" <<EOF
Director {
  Name = pkg-dir
  Password = "$pwf"
}
FileDaemon {
  Name = pkg-fd
  FDport = $3
  FDAddress = 127.0.0.1
  WorkingDirectory = "$PKG_VAR/fd"
  Pid Directory = "$PKG_VAR/run"
  Plugin Directory = /usr/lib/bacula
}
Messages {
  Name = Standard
  director = pkg-dir = all, !skipped, !restored
}
EOF
  cat > "$root$PKG_ETC/bconsole.conf" <<EOF
Director {
  Name = pkg-dir
  DIRport = $2
  Address = 127.0.0.1
  Password = "$pwc"
}
EOF
  chmod 600 "$root$PKG_ETC"/*.conf
}

pkg_bcon() { # root commands... -> bconsole output
  local root=$1; shift
  printf '%s\n' "$@" | pkg_in_root "$root" bconsole -c "$PKG_ETC/bconsole.conf" 2>&1
}

pkg_sql() { # root sql
  sqlite3 -batch "$1$PKG_VAR/dir/bacula.db" "$2"
}

pkg_joblog() { # root jobid
  pkg_sql "$1" "SELECT rtrim(CASE WHEN substr(LogText, -1) = '\\' THEN substr(LogText, 1, length(LogText) - 1)
                ELSE LogText END, char(10)) FROM Log WHERE JobId=$2 ORDER BY LogId"
}

# While the background job BG runs: the first java child of bacula-fd (pid FD), as "pid|exe|dev:ino|cmdline".
pkg_watch_backend() { # fdpid bgpid
  local c exe
  while kill -0 "$2" 2>/dev/null; do
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
      exe=$(readlink "/proc/$c/exe" 2>/dev/null) || continue
      if [[ "$exe" == */bin/java ]]; then
        printf '%s|%s|%s|%s\n' "$c" "$exe" "$(stat -L -c %d:%i "/proc/$c/exe" 2>/dev/null)" \
          "$(tr '\0' ' ' < "/proc/$c/cmdline" 2>/dev/null)"
        return 0
      fi
    done
    sleep 0.01
  done
  return 1
}

# Runs CMDS (ending in "wait") through bconsole while watching bacula-fd's children; prints the JobId; the
# backend seen goes to the file SEEN.
pkg_run_watched() { # root fdpid seen cmds...
  local root=$1 fdpid=$2 seen=$3; shift 3
  local out=$seen.bcon bg
  pkg_bcon "$root" "$@" > "$out" &
  bg=$!
  pkg_watch_backend "$fdpid" "$bg" > "$seen" || true
  wait "$bg" || true
  sed -n 's/.*Job queued\. JobId=\([0-9][0-9]*\).*/\1/p' "$out" | head -1
}

# the packaged runtime's java and jars ran: the SEEN line against ROOT
pkg_check_seen() { # root seen what -> "" or why not
  local root=$1 line pid exe ino cmd want
  line=$(cat "$2")
  [ -n "$line" ] || { echo "no java child of bacula-fd seen during the $3"; return 0; }
  IFS='|' read -r pid exe ino cmd <<< "$line"
  want=$(stat -c %d:%i "$root$PKG_LIB/runtime/bin/java")
  [ "$ino" = "$want" ] || { echo "the $3's backend (pid $pid) runs $exe ($ino), not the packaged $PKG_LIB/runtime/bin/java ($want)"; return 0; }
  case $cmd in
    *"-cp $PKG_LIB/lib/"*hpc-backend.jar*io.podheitor.hpc.backend.BackendMain*) ;;
    *) echo "the $3's backend (pid $pid) command line is not the packaged one: $cmd"; return 0;;
  esac
  note "$3: backend pid $pid exe=$exe ($ino) $(grep -o -- '-XX:AOTCache=[^ ]*' <<< "$cmd" || echo 'no AOT cache')"
}

# median wall time (ms) of N runs of CMD...
pkg_time_ms() { # n cmd...
  local n=$1 i t0 t1; shift
  local -a ts=()
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s%N)
    ts+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(((n + 1) / 2))p"
}

# ------------------------------------------------------------------------------------------------ tests ----

test_90_package_build() {
  local n=package_build out=$TLOG/package.out deb
  if [ "${PHPC_BACULA:-9.6}" != 9.6 ]; then
    skip $n "the package does not depend on the harness's Bacula; it is built and tested once, in the 9.6 run of the suite"; return 0
  fi
  [ -f "$ROOT/hpc-cli/target/hpc-cli.jar" ] || { fail $n "not built (hpc-cli/target/hpc-cli.jar missing)"; return 0; }
  if ! "$ROOT/scripts/package.sh" > "$out" 2> "$out.err"; then
    cat "$out.err" >&2; fail $n "scripts/package.sh failed: $(tail -n 1 "$out.err")"; return 0
  fi
  cat "$out.err" >&2
  deb=$(tail -n 1 "$out")
  [ -f "$deb" ] || { fail $n "scripts/package.sh printed no .deb ($deb)"; return 0; }
  save_ctx package_deb "$deb"
  local list=$TLOG/package.contents bad
  dpkg-deb -c "$deb" > "$list"
  bad=$(awk '$2 != "root/root"' "$list" | head -3)
  [ -z "$bad" ] || { fail $n "entries not owned by root/root: $bad"; return 0; }
  bad=$(awk 'substr($1,1,1) != "l" && (substr($1,6,1) == "w" || substr($1,9,1) == "w")' "$list" | head -3)
  [ -z "$bad" ] || { fail $n "group- or other-writable entries: $bad"; return 0; }
  local f
  for f in ./usr/lib/bacula/podheitor-hpc-fd.so ./usr/lib/podheitor-hpc/bin/podheitor-hpc-backend \
           ./usr/lib/podheitor-hpc/bin/podheitor-hpc ./usr/lib/podheitor-hpc/lib/hpc-backend.jar \
           ./usr/lib/podheitor-hpc/lib/hpc-cli.jar ./usr/lib/podheitor-hpc/runtime/bin/java \
           ./usr/lib/podheitor-hpc/java.home ./usr/lib/podheitor-hpc/log.dir ./usr/bin/podheitor-hpc \
           ./usr/share/bash-completion/completions/podheitor-hpc ./usr/share/doc/podheitor-hpc/copyright; do
    grep -q " $f\( \|$\)" "$list" || { fail $n "$f is not in the package"; return 0; }
  done
  grep -q ' ./usr/lib/podheitor-hpc/runtime/bin/javac$' "$list" && { fail $n "the runtime is a whole JDK (bin/javac)"; return 0; }
  dpkg-deb -f "$deb" Depends | grep -q 'bacula-fd (>= 9.6)' || { fail $n "Depends lacks bacula-fd: $(dpkg-deb -f "$deb" Depends)"; return 0; }
  local x=$SCRATCH/pkgx
  rm -rf "$x"; mkdir -p "$x"
  dpkg-deb -x "$deb" "$x"
  grep -qaF "PODHEITOR_HPC_FD_BACKEND=$PKG_LIB/bin/podheitor-hpc-backend" "$x/usr/lib/bacula/podheitor-hpc-fd.so" \
    || { fail $n "the packaged .so does not name $PKG_LIB/bin/podheitor-hpc-backend"; return 0; }
  [ "$(cat "$x$PKG_LIB/java.home")" = "$PKG_LIB/runtime" ] || { fail $n "java.home is $(cat "$x$PKG_LIB/java.home")"; return 0; }
  # man pages: one per command; the top page lists every command the CLI has
  local cmds c page
  cmds=$("$ROOT/bin/podheitor-hpc" --help | sed -n '/^Commands:/,$p' | awk 'NR > 1 && /^  [a-z]/ && $1 != "help" { print $1 }')
  [ -n "$cmds" ] || { fail $n "podheitor-hpc --help lists no command"; return 0; }
  # troff writes a hyphen in a name as \- (shard\-probe): compare with it undone
  page=$(gzip -dc "$x/usr/share/man/man1/podheitor-hpc.1.gz") || { fail $n "podheitor-hpc.1.gz missing"; return 0; }
  page=${page//\\-/-}
  for c in $cmds; do
    grep -q "$c" <<< "$page" || { fail $n "the man page podheitor-hpc(1) does not list the command $c"; return 0; }
    [ -f "$x/usr/share/man/man1/podheitor-hpc-$c.1.gz" ] || { fail $n "no man page podheitor-hpc-$c.1.gz"; return 0; }
  done
  for c in bench-walk bench-backup; do
    [ -f "$x/usr/share/man/man1/podheitor-hpc-$c.1.gz" ] || { fail $n "no man page podheitor-hpc-$c.1.gz"; return 0; }
  done
  gzip -dc "$x/usr/share/man/man1/podheitor-hpc-doctor.1.gz" | grep -q -e 'fd-conf' -e 'fd\\-conf' \
    || { fail $n "podheitor-hpc-doctor(1) does not describe --fd-conf"; return 0; }
  grep -q 'doctor' "$x/usr/share/bash-completion/completions/podheitor-hpc" || { fail $n "the bash completion lacks doctor"; return 0; }
  local npages size
  npages=$(find "$x/usr/share/man/man1" -name '*.1.gz' | wc -l)
  size=$(du -h "$deb" | cut -f1)
  rm -rf "$x"
  pass "$n ($(basename "$deb"), $size, $(wc -l < "$list") entries, all root/root and not group/other-writable; $npages man pages, the top one listing $(echo $cmds | tr ' ' ','))"
}

# The whole round trip in a fresh root of SUITE; PORTS are the Director's (FD +1, SD +2).
pkg_round_trip() { # test-name suite dirport
  local n=$1 suite=$2 dp=$3 fp=$(($3 + 1)) sp=$(($3 + 2))
  local deb root=$IT_STATE/roots/$suite t0=$SECONDS tr ti
  PKG_ROOT=$root          # for the trap (it runs after this function's locals are gone)
  if [ "${PHPC_BACULA:-9.6}" != 9.6 ]; then
    skip $n "the package test brings its own Bacula in its own root; it runs once, in the 9.6 run of the suite"; return 0
  fi
  deb=$(pkg_deb)
  [ -n "$deb" ] && [ -f "$deb" ] || { fail $n "no package (test 90 builds it)"; return 0; }
  command -v mmdebstrap > /dev/null || { fail $n "mmdebstrap not installed (scripts/install-deps.sh)"; return 0; }
  trap 'pkg_root_stop "$PKG_ROOT"; [ "${IT_PKG_KEEP_ROOTS:-0}" = 1 ] || rm -rf --one-file-system -- "$PKG_ROOT"' EXIT
  trap 'exit 130' INT TERM
  rm -rf --one-file-system -- "$root"
  mkdir -p "$IT_STATE/roots"
  if ! pkg_mkroot "$suite" "$root" > "$TLOG/$n.mkroot" 2>&1; then
    tail -n 20 "$TLOG/$n.mkroot" >&2; fail $n "could not make a $suite root (log $TLOG/$n.mkroot)"; return 0
  fi
  tr=$((SECONDS - t0))
  note "$suite root $root ready in $tr s ($(grep -o -m1 -e 'reusing [^ ]*' -e 'made [^ ]* in [0-9]* s' "$TLOG/$n.mkroot" || echo 'mmdebstrap'))"
  # never start the root's services from a maintainer script
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
  cp -- "$deb" "$root/tmp/$(basename "$deb")"
  [ -s "$root/etc/resolv.conf" ] || cp -- /etc/resolv.conf "$root/etc/resolv.conf"
  if ! { pkg_in_root "$root" apt-get update -q && \
         pkg_in_root "$root" apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")"; } \
       > "$TLOG/$n.install" 2>&1; then
    tail -n 20 "$TLOG/$n.install" >&2; fail $n "apt-get install of the package failed in the $suite root (log $TLOG/$n.install)"; return 0
  fi
  rm -f -- "$root/tmp/$(basename "$deb")"
  local fdver
  fdver=$(pkg_in_root "$root" dpkg-query -W -f '${Version}' bacula-fd)
  ti=$((SECONDS - t0 - tr))
  note "$suite: installed $(basename "$deb") with bacula-fd $fdver ($ti s)"
  [ "$(stat -c '%F %a %U' "$root/var/log/podheitor-hpc")" = "directory 700 root" ] \
    || { fail $n "postinst did not make /var/log/podheitor-hpc a 0700 directory of root's"; return 0; }
  pkg_in_root "$root" dpkg -L podheitor-hpc > "$TLOG/$n.files"

  # the root's own Bacula, inside it, on private ports
  pkg_write_configs "$root" "$dp" "$fp" "$sp"
  pkg_in_root "$root" sh -c "sed -n '/<<END-OF-DATA/,/^END-OF-DATA/p' /usr/share/bacula-director/make_sqlite3_tables \
      | sed '1d;\$d' | sqlite3 -batch $PKG_VAR/dir/bacula.db" > "$TLOG/$n.catalog" 2>&1 \
    && [ -n "$(pkg_sql "$root" 'SELECT VersionId FROM Version' 2>/dev/null)" ] \
    || { fail $n "could not create the catalog in the root (log $TLOG/$n.catalog)"; return 0; }
  local d
  for d in dir sd fd; do
    pkg_in_root "$root" "bacula-$d" -t -c "$PKG_ETC/bacula-$d.conf" > "$TLOG/$n.t-$d" 2>&1 \
      || { cat "$TLOG/$n.t-$d" >&2; fail $n "bacula-$d -t rejects the configuration"; return 0; }
  done
  pkg_root_start "$root" "$dp" "$fp" "$sp" || { fail $n "could not start the root's daemons (logs $root$PKG_VAR/log)"; return 0; }
  local fdpid=${PKG_PIDS[1]}
  pkg_bcon "$root" "status client=pkg-fd" > "$TLOG/$n.status"
  local fdiface accepts
  pkg_in_root "$root" podheitor-hpc doctor --fd-conf "$PKG_ETC/bacula-fd.conf" > "$TLOG/$n.doctor" 2>&1 || true
  sed 's/^/    doctor: /' "$TLOG/$n.doctor" >&2
  fdiface=$(sed -n 's/^OK bacula-fd .* offers plugin interface \([0-9]*\)$/\1/p' "$TLOG/$n.doctor")
  accepts=$(strings "$root/usr/lib/bacula/podheitor-hpc-fd.so" | sed -n 's/^PODHEITOR_HPC_FD_INTERFACES=//p')
  note "$suite: bacula-fd $fdver offers interface ${fdiface:-?}; the .so accepts $accepts"
  [ -n "$fdiface" ] || { fail $n "doctor could not tell the FD's plugin interface (see $TLOG/$n.doctor)"; return 0; }
  [[ ",$accepts," == *",$fdiface,"* ]] \
    || { fail $n "the packaged .so accepts interfaces $accepts, bacula-fd $fdver offers $fdiface: $(grep -m1 '^PROBLEM' "$TLOG/$n.doctor")"; return 0; }
  grep -q "^OK podheitor-hpc-fd.so accepts interface $fdiface (it accepts $accepts)\$" "$TLOG/$n.doctor" \
    || { fail $n "doctor does not say that the .so accepts interface $fdiface (see $TLOG/$n.doctor)"; return 0; }
  grep -q "^OK bacula-fd pid $fdpid has loaded /usr/lib/bacula/podheitor-hpc-fd.so\$" "$TLOG/$n.doctor" \
    || { fail $n "doctor does not say that bacula-fd pid $fdpid loaded the .so (see $TLOG/$n.doctor)"; return 0; }
  grep -q '^PROBLEM' "$TLOG/$n.doctor" && { fail $n "doctor found a problem: $(grep -m1 '^PROBLEM' "$TLOG/$n.doctor")"; return 0; }
  grep -E '^ *Plugin:' "$TLOG/$n.status" | grep -q 'podheitor-hpc' \
    || { fail $n "bacula-fd $fdver does not list the plugin in 'status client' (see $TLOG/$n.status)"; return 0; }

  # the tree, made from the host into the root
  python3 "$ROOT/scripts/mktree.py" -n 400 --big 1 --big-max-mib 4 --symlinks 4 --hardlinks 3 --seed 7 \
    "$root/srv/tree" > /dev/null || { fail $n "mktree failed"; return 0; }
  local seen=$TLOG/$n.seen-backup jid st tj=$SECONDS
  jid=$(pkg_run_watched "$root" "$fdpid" "$seen" "run job=pkg-backup yes" "wait")
  [ -n "$jid" ] || { fail $n "the backup was not queued: $(tail -n 3 "$seen.bcon")"; return 0; }
  st=$(pkg_sql "$root" "SELECT JobStatus FROM Job WHERE JobId=$jid" || true)
  pkg_joblog "$root" "$jid" > "$TLOG/$n.joblog-backup"

  local res=""
  [ "$st" = T ] || { cat "$TLOG/$n.joblog-backup" >&2; fail $n "backup JobStatus=$st"; return 0; }
  local why
  why=$(pkg_check_seen "$root" "$seen" backup)
  [ -z "$why" ] || { fail $n "$why"; return 0; }
  seen=$TLOG/$n.seen-restore
  local rjid
  rjid=$(pkg_run_watched "$root" "$fdpid" "$seen" \
    "restore jobid=$jid client=pkg-fd restorejob=pkg-restore where=/srv/restore all done yes" "wait")
  [ -n "$rjid" ] || { fail $n "the restore was not queued: $(tail -n 5 "$seen.bcon")"; return 0; }
  st=$(pkg_sql "$root" "SELECT JobStatus FROM Job WHERE JobId=$rjid" || true)
  pkg_joblog "$root" "$rjid" > "$TLOG/$n.joblog-restore"
  [ "$st" = T ] || { cat "$TLOG/$n.joblog-restore" >&2; fail $n "restore JobStatus=$st"; return 0; }
  why=$(pkg_check_seen "$root" "$seen" restore)
  [ -z "$why" ] || { fail $n "$why"; return 0; }
  python3 "$ROOT/scripts/verify.py" "$root/srv/tree" "$root/srv/restore/srv/tree" > "$TLOG/$n.verify" 2>&1 \
    || { tail -n 10 "$TLOG/$n.verify" >&2; fail $n "the restored tree differs (log $TLOG/$n.verify)"; return 0; }
  local files
  files=$(pkg_sql "$root" "SELECT JobFiles FROM Job WHERE JobId=$jid" || true)
  res="bacula-fd $fdver (interface $fdiface, accepted, loaded): backup $jid ($files files) and restore $rjid through the packaged .so, runtime and jars, verified; doctor $(tail -n 1 "$TLOG/$n.doctor" | sed 's/^doctor: //'); jobs $((SECONDS - tj)) s"
  if [ "$suite" = bookworm ] && [ "${IT_PKG_STARTUP:-0}" = 1 ]; then
    # start-up: the packaged runtime (with and without its AOT cache) and the build's JDK
    local a b c e
    a=$(pkg_time_ms 5 pkg_in_root "$root" podheitor-hpc version)
    b=$(pkg_time_ms 5 pkg_in_root "$root" env JAVA_TOOL_OPTIONS=-XX:AOTMode=off podheitor-hpc version)
    c=$(pkg_time_ms 5 "$ROOT/bin/podheitor-hpc" version)
    e=$(pkg_time_ms 5 env JAVA_TOOL_OPTIONS=-XX:AOTMode=off "$ROOT/bin/podheitor-hpc" version)
    note "start-up of 'podheitor-hpc version' (median of 5, ms): package runtime+AOT $a, package runtime without AOT $b, checkout JDK+AOT $c, checkout JDK without AOT $e (package runs include chroot+unshare)"
    note "$(grep 'backend answered Hello' "$TLOG/$n.doctor")"
  fi
  pkg_root_stop "$root"

  # purge: nothing of the package left but directories other packages own
  local purge=$TLOG/$n.purge p left=() owner
  pkg_in_root "$root" dpkg --purge podheitor-hpc > "$purge" 2>&1 || { cat "$purge" >&2; fail $n "dpkg --purge failed"; return 0; }
  while IFS= read -r p; do
    [ "$p" = /. ] && continue
    if [ -e "$root$p" ] || [ -L "$root$p" ]; then
      owner=$(pkg_in_root "$root" dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1 || true)
      if [ -d "$root$p" ] && [ ! -L "$root$p" ] && [ -n "$owner" ]; then continue; fi
      left+=("$p")
    fi
  done < "$TLOG/$n.files"
  for p in /var/log/podheitor-hpc "$PKG_LIB" /usr/lib/bacula/podheitor-hpc-fd.so /usr/bin/podheitor-hpc; do
    { [ -e "$root$p" ] || [ -L "$root$p" ]; } && left+=("$p")
  done
  [ ${#left[@]} -eq 0 ] || { fail $n "after dpkg --purge still there: ${left[*]:0:5}"; return 0; }
  pkg_in_root "$root" dpkg -s podheitor-hpc > /dev/null 2>&1 && { fail $n "dpkg still knows podheitor-hpc after --purge"; return 0; }
  grep -qF "$root" /proc/self/mountinfo && { fail $n "a mount below $root is left: $(grep -F "$root" /proc/self/mountinfo | head -1)"; return 0; }
  pass "$n ($res; purge left none of $(wc -l < "$TLOG/$n.files") paths; $((SECONDS - t0)) s: root $tr s, apt-get install $ti s)"
}

test_91_package_bookworm() { pkg_round_trip package_bookworm bookworm $((PHPC_DIR_PORT + 40)); }
test_92_package_trixie()   { pkg_round_trip package_trixie trixie $((PHPC_DIR_PORT + 50)); }
