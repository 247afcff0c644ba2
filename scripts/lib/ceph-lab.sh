#!/usr/bin/env bash
# podheitor-hpc Ceph test harness: a private, throw-away, single-node CephFS on 127.0.0.1 (Debian's Ceph 16
# "Pacific" packages, scripts/install-deps.sh installs them): one ceph-mon, one ceph-osd on memstore (RAM only, no
# block device), one ceph-mds, a CephFS 'cephfs' and one ceph-fuse mount at $PHPC_CEPH_STATE/mnt. No ceph-mgr
# (CephFS works without it; statfs then reports size 0, and the mgr would add ~300 MiB). Auth 'none': any local
# process may talk to it, acceptable on loopback for a test cluster that lives for one test run.
#
#   scripts/lib/ceph-lab.sh up|down|status|mnt|mount2|conf|pids
#
#   up      start everything and mount (idempotent: a running, mounted lab is left as it is; leftovers of a
#           broken one are stopped first); a failing 'up' stops what it started
#   down    unmount, stop every daemon 'up' started, by PID (checked against /proc/PID/exe and the process's
#           start time), TERM then KILL, and delete the cluster's state (logs kept in $PHPC_CEPH_STATE/log;
#           until the next 'up'; PHPC_CEPH_KEEP=1 keeps everything); idempotent
#   status  daemons (PID, RSS), the mount, 'ceph -s'; exit 0 when up and mounted
#   mount2  mount a second ceph-fuse client at STATE/mnt2 and print it (another "host"; 'down' stops it too)
#   mnt     print the mount point; conf: print the ceph.conf path (for ceph -c); pids: "name pid" of the live
#           daemons, one a line
#
# Measured here (2 cores, 24 GiB, nice -n 19, the lab alone, default Ceph settings, Ceph 16.2.15):
#   up to mounted: 5-6 s (mon and OSD started at ~1 s, the MDS active at ~5 s, then the mount; most of it is the
#   Python start-up of the few 'ceph' CLI calls); down: 2-4 s (the client after its unmount, then the MDS, the OSD,
#   the mon; an MDS that has served a client takes the KILL after its 1 s grace);
#   memory: ~124 MiB RSS just up (mon 35, osd 40, mds 26, ceph-fuse 21 MiB), ~140 MiB after tests/ceph/run.sh,
#   plus what is written into the memstore (RAM); disk: ~150 KiB of logs and the mon's store under the state dir.
#   docs/ceph.md has the numbers of the last measurement and the file-system facts the tests establish.
#
# env: PHPC_CEPH_STATE=/tmp/podheitor-hpc-ceph (everything: config, daemon data, sockets, logs, the mount point;
#        root's own directory: ensure_state_dir in common.sh refuses one another user could have made),
#      PHPC_CEPH_MON_PORT=19350 (msgr v2; v1 on the next port), PHPC_CEPH_PORT_MIN/MAX (the OSD's and the MDS's
#        ports, default the 40 ports after the mon's), PHPC_CEPH_MEMSTORE_BYTES (the OSD's RAM store, 1 GiB),
#      PHPC_CEPH_FAST_RSTAT=1 (shorter client cap-flush and MDS scatter intervals, 1 s instead of 5 s: rctime
#        propagates in ~1-3 s instead of up to ~10 s; NOT what a real cluster does, off by default),
#      PHPC_CEPH_STOP_GRACE=5 (seconds between TERM and KILL; PHPC_CEPH_MDS_STOP_GRACE=1 for the MDS, which does
#        not exit on TERM once it has served a client), PHPC_CEPH_KEEP=1 (down keeps the state)
# Needs root, /dev/fuse, the ceph packages. Never touches /etc/ceph or the system's ceph services.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
CL_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PHPC_PROG=${PHPC_PROG:-ceph-lab}
# shellcheck source=common.sh
. "$CL_LIB/common.sh"

STATE=${PHPC_CEPH_STATE:-/tmp/podheitor-hpc-ceph}
STATE=${STATE%/}
CONF=$STATE/ceph.conf
MNT=$STATE/mnt
MNT2=$STATE/mnt2   # a second client's mount ('mount2': another "host" writing to the same file system)
RUN=$STATE/run
LOGD=$STATE/log
PIDS=$RUN/pids                 # "name binary pid starttime", one line per process 'up' started
MON_PORT=${PHPC_CEPH_MON_PORT:-19350}
MON_PORT1=$((MON_PORT + 1))
PORT_MIN=${PHPC_CEPH_PORT_MIN:-$((MON_PORT + 2))}
PORT_MAX=${PHPC_CEPH_PORT_MAX:-$((PORT_MIN + 39))}
MEMSTORE_BYTES=${PHPC_CEPH_MEMSTORE_BYTES:-1073741824}
FAST_RSTAT=${PHPC_CEPH_FAST_RSTAT:-0}
GRACE=${PHPC_CEPH_STOP_GRACE:-5}
MDS_GRACE=${PHPC_CEPH_MDS_STOP_GRACE:-1}
BINS=(ceph-mon ceph-osd ceph-mds ceph-fuse ceph monmaptool getfattr)

cl_ceph() { timeout 30 ceph -c "$CONF" --connect-timeout 15 "$@"; }

# --------------------------------------------------------------- processes ----
# is PID still the process we started: alive, the same start time, running BIN
ours() { # bin pid starttime
  local exe
  pid_alive "$2" || return 1
  [ "$(proc_starttime "$2")" = "$3" ] || return 1
  exe=$(readlink "/proc/$2/exe" 2>/dev/null || true)
  [ "$(basename "${exe% (deleted)}")" = "$1" ]
}

# the lines of $PIDS whose process still runs (ours), as "name bin pid starttime"
live_procs() {
  local name bin pid st
  [ -f "$PIDS" ] || return 0
  while read -r name bin pid st; do
    [ -n "${st:-}" ] && ours "$bin" "$pid" "$st" && echo "$name $bin $pid $st"
  done < "$PIDS"
  return 0
}

# start one daemon in the foreground mode (-f) in its own session; its PID and start time go into $PIDS. Every file
# descriptor above 2 is closed first: a daemon must not keep a caller's pipe open (a test runner's tee would then
# wait for it forever).
start_daemon() { # name bin args...
  local name=$1 bin=$2 pid st i
  shift 2
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec setsid "$bin" "$@" < /dev/null >> "$LOGD/$name.out" 2>&1
  ) &
  pid=$!
  st=$(proc_starttime "$pid")
  echo "$name $bin $pid $st" >> "$PIDS"
  # setsid execs in place (this shell's background job leads no process group): the PID becomes the daemon
  for ((i = 0; i < 50; i++)); do ours "$bin" "$pid" "$st" && break; sleep 0.02; done
  ours "$bin" "$pid" "$st" || { tail -n 20 "$LOGD/$name.out" >&2; die "$name did not start (pid $pid; log $LOGD/$name.out)"; }
  info "$name started (pid $pid)"
}

still_running() { # name: dies with the log when that daemon has exited
  local n bin pid st
  read -r n bin pid st < <(grep "^$1 " "$PIDS" | tail -n 1) || die "$1 was not started"
  ours "$bin" "$pid" "$st" && return 0
  tail -n 30 "$LOGD/$1.out" "$LOGD/$1.log" 2>/dev/null >&2 || true
  die "$1 (pid $pid) exited (logs: $LOGD/$1.out, $LOGD/$1.log)"
}

mds_active() { [[ $(cl_ceph mds stat 2> /dev/null) == *up:active* ]]; }

mounted() { findmnt -n -M "$MNT" > /dev/null 2>&1; }
mount_type() { findmnt -n -o FSTYPE -M "$MNT" 2>/dev/null || true; }


wait_until() { # seconds what daemon cmd...: polls cmd every 0.2 s; dies when the daemon exits or time runs out
  local secs=$1 what=$2 daemon=$3 end
  shift 3
  end=$((SECONDS + secs))
  until "$@" > /dev/null 2>&1; do
    still_running "$daemon"
    [ "$SECONDS" -lt "$end" ] || die "no $what after $secs s (logs: $LOGD)"
    sleep 0.2
  done
}

# ----------------------------------------------------------------- config ----
write_conf() { # fsid
  cat > "$CONF" <<EOF
# written by scripts/lib/ceph-lab.sh up: a single-node test cluster on 127.0.0.1
[global]
fsid = $1
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind port min = $PORT_MIN
ms bind port max = $PORT_MAX
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
run dir = $RUN
admin socket = $RUN/\$name.asok
log file = $LOGD/\$name.log
pid file = $RUN/\$name.pid
keyring = $STATE/keyring
crash dir = $STATE/crash
# one OSD on one host: pools of size 1, placement on the OSD level, no autoscaler (there is no mgr)
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon warn on insecure global id reclaim = false
mon max pg per osd = 1000
# the mon stops itself when its disk has less than 'crit' % free (default 5): a shared test machine's / may be full
mon data avail warn = 2
mon data avail crit = 1

[mon]
mon data = $STATE/mon/\$cluster-\$id
mon cluster log file = $LOGD/cluster.log

[osd]
osd data = $STATE/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd crush update on start = true
osd class update on start = false
osd max object name len = 460
osd max object namespace len = 64

[mds]
mds data = $STATE/mds/\$cluster-\$id
mds cache memory limit = 268435456

[client]
# the ceph CLI: one log, no admin socket; ceph-fuse gets its own on its command line
log file = $LOGD/client.cli.log
admin socket =
client mount timeout = 60
EOF
  if [ "$FAST_RSTAT" = 1 ]; then
    cat >> "$CONF" <<'EOF'

# PHPC_CEPH_FAST_RSTAT=1: dirty client caps flushed after 1 s (default 5), the MDS propagating directory rstats
# (rctime, rbytes, ...) to the parents every 1 s (default 5, checked every tick, default 5 s)
[client]
client caps release delay = 1
[mds]
mds tick interval = 1
mds scatter nudge interval = 1
EOF
  fi
}

# ---------------------------------------------------------------- commands ----
preflight() {
  is_root || die "run as root (ceph-fuse mounts; the state directory is root's)"
  local b p
  local -a miss=()
  for b in "${BINS[@]}"; do p=$(command -v "$b" 2>/dev/null) && [ -x "$p" ] || miss+=("$b"); done
  [ ${#miss[@]} -eq 0 ] || die "missing: ${miss[*]} (packages ceph-mon ceph-osd ceph-mds ceph-fuse ceph-common attr: scripts/install-deps.sh)"
  [ -c /dev/fuse ] || die "/dev/fuse is missing (ceph-fuse needs it)"
}

is_up() {
  [ -f "$PIDS" ] && mounted && [ "$(mount_type)" = fuse.ceph-fuse ] || return 1
  local n live
  live=$(live_procs)
  for n in mon.a osd.0 mds.a client.fuse; do
    grep -q "^$n " <<< "$live" || return 1
  done
}

up_inner() {
  local t0=$SECONDS fsid ouuid osd_id p
  mkdir -p "$RUN" "$LOGD" "$STATE"/{mon,osd,mds,crash,tmp} "$MNT"
  : > "$PIDS"
  for p in "$MON_PORT" "$MON_PORT1"; do
    ! port_listening "$p" || die "port $p is in use (another cluster?): set PHPC_CEPH_MON_PORT"
  done
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  echo "=== $(date -Is) up (fsid $fsid)" >> "$LOGD/up.log"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]" \
    "$STATE/tmp/monmap" >> "$LOGD/up.log" 2>&1 || die "monmaptool failed (log $LOGD/up.log)"
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/tmp/monmap" >> "$LOGD/up.log" 2>&1 \
    || die "ceph-mon --mkfs failed (log $LOGD/up.log)"
  start_daemon mon.a ceph-mon -c "$CONF" -i a -f
  wait_until 30 "mon listening on 127.0.0.1:$MON_PORT" mon.a port_listening "$MON_PORT"

  # the OSD: 'osd new' allocates its id (0 in a fresh cluster; the same id again for the same uuid)
  ouuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(cl_ceph osd new "$ouuid" 2>> "$LOGD/up.log") || die "'ceph osd new' failed (log $LOGD/up.log)"
  [ "$osd_id" = 0 ] || die "'ceph osd new' gave id '$osd_id', expected 0"
  mkdir -p "$STATE/osd/ceph-0"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$ouuid" >> "$LOGD/up.log" 2>&1 || die "ceph-osd --mkfs failed (log $LOGD/up.log)"
  start_daemon osd.0 ceph-osd -c "$CONF" -i 0 -f
  info "mon and OSD started ($((SECONDS - t0)) s)"

  # pools and the file system need no running OSD; the MDS goes active once the OSD is up
  cl_ceph osd pool create cephfs_metadata 8 8 >> "$LOGD/up.log" 2>&1 || die "pool cephfs_metadata (log $LOGD/up.log)"
  cl_ceph osd pool create cephfs_data 8 8 >> "$LOGD/up.log" 2>&1 || die "pool cephfs_data (log $LOGD/up.log)"
  cl_ceph fs new cephfs cephfs_metadata cephfs_data >> "$LOGD/up.log" 2>&1 || die "fs new (log $LOGD/up.log)"
  mkdir -p "$STATE/mds/ceph-a"
  start_daemon mds.a ceph-mds -c "$CONF" -i a -f
  # ceph-fuse gives up at once ("probably no MDS server is up?") while the file system has no MDS yet
  wait_until 90 "active MDS" mds.a mds_active
  info "MDS active ($((SECONDS - t0)) s)"

  start_daemon client.fuse ceph-fuse -c "$CONF" -n client.admin -f --log-file="$LOGD/client.fuse.log" \
    --admin-socket="$RUN/client.fuse.asok" "$MNT"
  local end=$((SECONDS + 90))
  until mounted && [ "$(mount_type)" = fuse.ceph-fuse ] && stat -f "$MNT" > /dev/null 2>&1; do
    still_running osd.0; still_running mds.a; still_running client.fuse
    [ "$SECONDS" -lt "$end" ] || { cl_ceph -s >&2 || true; die "no ceph-fuse mount at $MNT after 90 s (logs: $LOGD)"; }
    sleep 0.2
  done
  getfattr --only-values -n ceph.dir.rctime "$MNT" > /dev/null 2>&1 || die "$MNT answers no ceph.dir.rctime"
  local rss
  rss=$(rss_total)
  echo "up_seconds=$((SECONDS - t0)) rss_kib=$rss" > "$STATE/up.measured"
  info "up in $((SECONDS - t0)) s: CephFS at $MNT (conf $CONF, mon 127.0.0.1:$MON_PORT), daemons $((rss / 1024)) MiB RSS"
}

cmd_up() {
  preflight
  ensure_state_dir "$STATE"
  if is_up; then info "already up: CephFS at $MNT"; return 0; fi
  if [ -f "$PIDS" ] || mounted; then
    info "leftovers of an earlier lab in $STATE: stopping them first"
    cmd_down
    ensure_state_dir "$STATE"
  fi
  rm -rf -- "${STATE:?}"/{mon,osd,mds,crash,tmp,run,log} "$CONF" "$STATE/up.measured"
  if ! (up_inner); then
    warn "up failed: stopping what it started (logs kept in $LOGD)"
    cmd_down || true
    exit 1
  fi
}

rss_total() { # KiB over the live daemons
  local n b pid st kib sum=0
  while read -r n b pid st; do
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    sum=$((sum + ${kib:-0}))
  done < <(live_procs)
  echo "$sum"
}

# TERM the live processes named NAME.*, wait up to GRACE s, KILL those still there (all of them: "" = any)
stop_stage() { # name grace
  local n b pid st i
  while read -r n b pid st; do
    if [ "${n%%.*}" = "$1" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done < <(live_procs)
  for ((i = 0; i < $2 * 10; i++)); do
    [ -n "$(live_procs | awk -v s="$1" 'index($1, s ".") == 1')" ] || return 0
    sleep 0.1
  done
  while read -r n b pid st; do
    if [ "${n%%.*}" = "$1" ]; then
      info "$n (pid $pid) still there $2 s after TERM: KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < <(live_procs)
}

cmd_down() {
  if [ ! -e "$STATE" ] && [ ! -L "$STATE" ]; then info "nothing to stop ($STATE does not exist)"; return 0; fi
  ensure_state_dir --check "$STATE"
  local t0=$SECONDS rc=0 i n b pid st
  if findmnt -n -M "$MNT2" > /dev/null 2>&1; then
    umount "$MNT2" 2>/dev/null || { warn "umount $MNT2 failed: lazy unmount"; umount -l "$MNT2" 2>/dev/null || true; }
    info "unmounted $MNT2"
  fi
  if mounted; then
    umount "$MNT" 2>/dev/null || { warn "umount $MNT failed: lazy unmount"; umount -l "$MNT" 2>/dev/null || true; }
    if mounted; then warn "$MNT is still mounted"; rc=1; else info "unmounted $MNT"; fi
  fi
  local -a live=()
  mapfile -t live < <(live_procs)
  # the client first: after the unmount ceph-fuse closes its MDS session and exits by itself, which needs the
  # MDS, so it gets up to the grace (then TERM) before the daemons go
  local fuse
  fuse=$(printf '%s\n' "${live[@]}" | grep '^client\.' || true)
  if [ -n "$fuse" ]; then
    for ((i = 0; i < GRACE * 10; i++)); do
      [[ $'\n'$(live_procs) == *$'\n'client.* ]] || break
      sleep 0.1
    done
    stop_stage client "$GRACE"
  fi
  # then the MDS, the OSD, the mon, one after the other, each TERM, then KILL after its grace: an OSD or MDS whose
  # mon is gone waits seconds for it; the MDS, on TERM, waits ~4 s for the mon to answer its last beacon and
  # then still does not exit (so its grace is 1 s); a memstore cluster has nothing to flush
  local stage g
  for stage in mds osd mon; do
    g=$GRACE; [ "$stage" != mds ] || g=$MDS_GRACE
    stop_stage "$stage" "$g"
  done
  for ((i = 0; i < 50; i++)); do [ -n "$(live_procs)" ] || break; sleep 0.1; done
  if [ -n "$(live_procs)" ]; then warn "still running: $(live_procs | awk '{ print $1 "=" $3 }' | paste -sd' ')"; rc=1; fi
  # an exited daemon stays a zombie until its parent (init, 'up' has exited) reaps it: wait up to 5 s for that,
  # so that nothing of the lab shows in the process list afterwards (a zombie holds no port, memory or mount)
  for ((i = 0; i < 50; i++)); do
    local z=0 l
    for l in "${live[@]}"; do read -r n b pid st <<< "$l"; [ "$(proc_starttime "$pid")" != "$st" ] || z=1; done
    [ "$z" = 1 ] || break
    sleep 0.1
  done
  [ ${#live[@]} -eq 0 ] || info "stopped $(printf '%s\n' "${live[@]}" | awk '{ print $1 "=" $3 }' | paste -sd' ') ($((SECONDS - t0)) s)"
  if [ "$rc" = 0 ] && [ "${PHPC_CEPH_KEEP:-0}" != 1 ]; then
    rmdir -- "$MNT" "$MNT2" 2>/dev/null || true
    rm -rf -- "${STATE:?}"/{mon,osd,mds,crash,tmp,run} "$CONF" "$STATE/keyring"
  fi
  return "$rc"
}

cmd_status() {
  [ -e "$STATE" ] || { echo "not up ($STATE does not exist)"; return 1; }
  ensure_state_dir --check "$STATE"
  local n b pid st kib
  while read -r n b pid st; do
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    printf '%-12s pid %-8s RSS %5d MiB\n' "$n" "$pid" $((kib / 1024))
  done < <(live_procs)
  echo "total RSS: $(( $(rss_total) / 1024 )) MiB"
  if mounted; then echo "mounted: $MNT ($(mount_type))"; else echo "not mounted: $MNT"; fi
  [ ! -f "$CONF" ] || cl_ceph -s 2>/dev/null || true
  is_up
}

cmd_pids() {
  [ -e "$STATE" ] || return 0
  ensure_state_dir --check "$STATE"
  live_procs | awk '{ print $1, $3 }'
}

# a second ceph-fuse client of the running lab at $MNT2 (its own session, cache and caps: what another host's
# client would be); stopped and unmounted by 'down' with the first one
cmd_mount2() {
  is_up || die "the lab is not up"
  if findmnt -n -M "$MNT2" > /dev/null 2>&1; then echo "$MNT2"; return 0; fi
  mkdir -p "$MNT2"
  start_daemon client.fuse2 ceph-fuse -c "$CONF" -n client.admin -f --log-file="$LOGD/client.fuse2.log" \
    --admin-socket="$RUN/client.fuse2.asok" "$MNT2" >&2
  local end=$((SECONDS + 60))
  until [ "$(findmnt -n -o FSTYPE -M "$MNT2" 2>/dev/null)" = fuse.ceph-fuse ] && stat -f "$MNT2" > /dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || die "no second ceph-fuse mount at $MNT2 after 60 s (log $LOGD/client.fuse2.log)"
    sleep 0.2
  done
  echo "$MNT2"
}

case ${1:-} in
  up) cmd_up;;
  mount2) cmd_mount2;;
  down) cmd_down;;
  status) cmd_status;;
  mnt) echo "$MNT";;
  conf) echo "$CONF";;
  pids) cmd_pids;;
  -h|--help|help) sed -n '2,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//';;
  *) echo "usage: ${0##*/} up|down|status|mnt|mount2|conf|pids (see --help)" >&2; exit 2;;
esac
