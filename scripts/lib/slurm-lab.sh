#!/usr/bin/env bash
# podheitor-hpc Slurm test harness: a private, throw-away Slurm 22.05 (Debian's slurm-wlm and munge packages,
# scripts/install-deps.sh installs them) with two nodes on one machine:
#   node1  a slurmd on this host (127.0.0.1): a job there runs on the submitter's host
#   node2  a slurmd in its own network namespace ($PHPC_SLURM_NETNS) joined to the host by a veth pair
#          (host side 10.251.0.1/30, namespace side 10.251.0.2/30): a job there runs "on another host", its
#          connections to the submitter come from 10.251.0.2
# one slurmctld (listening on the veth host address, which both nodes and the host's client commands reach) and a
# private munged (its own key and socket; the namespace shares the file system, so node2 uses the same socket).
# Partitions 'backup' (both nodes) and 'debug' (node1, the default). No accounting (sacct has nothing), no cgroups.
#
#   scripts/lib/slurm-lab.sh up|down|status|env|pids|nodes
#
#   up      start everything, wait until both nodes are idle (idempotent: a running lab is left as it is; leftovers
#           of a broken one are stopped first); a failing 'up' stops what it started
#   down    cancel the lab's jobs, stop every daemon 'up' started, by PID (checked: alive, the same start time,
#           /proc/PID/exe the expected binary, the command line naming the state directory), TERM then KILL, kill
#           job steps left behind (by PID), delete the veth pair and the namespace, and the controller's state (logs
#           kept in $PHPC_SLURM_STATE/log until the next 'up'); idempotent
#   status  daemons (PID), the namespace, sinfo, squeue; exit 0 when up
#   env     print "export SLURM_CONF=..." (eval "$(slurm-lab.sh env)"): the client commands need nothing else
#   pids    "name pid" of the live daemons, one a line; nodes: "NAME ADDRESS" of each node, one a line
#
# Without 'ip netns' (no CAP_NET_ADMIN, or PHPC_SLURM_NODE2=0) the lab has node1 only, slurmctld on 127.0.0.1,
# and 'nodes' lists one node.
#
# How the daemons are bound to one address each: with CommunicationParameters=NoCtldInAddrAny,NoInAddrAny a Slurm
# daemon listens on the address its host name resolves to (gethostname, not the node name). slurmctld and node2's
# slurmd are therefore started in their own UTS namespace (unshare --uts) whose host name IS their address
# (10.251.0.1, 10.251.0.2): nothing in /etc/hosts is needed or touched. node1's slurmd keeps the host's name, which
# must resolve to 127.0.0.1 (it does on this machine; 'up' checks it). slurmctld listens on 10.251.0.1 only, not on
# 127.0.0.1 as well (Slurm binds one address); the host's clients reach it through the local route, so no packet of
# the lab leaves the machine: the veth pair is the only link of the namespace, which has no other route.
#
# Measured here (2 cores, nice -n 19, other work running; docs/slurm.md has the table): up from cold 0.3-0.7 s (both
# nodes idle), up when already up 0.1-0.3 s, down 1.3-2.2 s (each daemon needs 1-2 s to exit on TERM).
#
# env: PHPC_SLURM_STATE=/tmp/podheitor-hpc-slurm (config, munge key and socket, controller state, spool, logs; root's
#        own directory: ensure_state_dir in common.sh),
#      PHPC_SLURM_CTLD_PORT=19460, PHPC_SLURM_SLURMD_PORT=19461 (node1), PHPC_SLURM_SLURMD2_PORT=19462 (node2),
#      PHPC_SLURM_NETNS=phpc-slurm-n2 (the namespace), PHPC_SLURM_VETH=phpc-sl (the pair: phpc-sl0 on the host,
#        phpc-sl1 in the namespace), PHPC_SLURM_NET=10.251.0 (the /30: .1 host, .2 namespace),
#      PHPC_SLURM_NODE2=auto|0 (0: node1 only), PHPC_SLURM_TIMEOUT=60 (seconds for each step of 'up'),
#      PHPC_SLURM_STOP_GRACE=10 (seconds between TERM and KILL), PHPC_SLURM_CLUSTER=phpclab
# Needs root. Never touches /etc/slurm, /etc/munge or the system's munge/slurm services.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
SL_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PHPC_PROG=${PHPC_PROG:-slurm-lab}
# shellcheck source=common.sh
. "$SL_LIB/common.sh"

STATE=${PHPC_SLURM_STATE:-/tmp/podheitor-hpc-slurm}
STATE=${STATE%/}
CONF=$STATE/etc/slurm.conf
RUN=$STATE/run
LOGD=$STATE/log
PIDS=$RUN/pids                 # "name exe pid starttime", one line per daemon 'up' started
MUNGE_DIR=$STATE/munge
MUNGE_KEY=$MUNGE_DIR/munge.key
MUNGE_SOCK=$MUNGE_DIR/munge.socket.2
CTLD_PORT=${PHPC_SLURM_CTLD_PORT:-19460}
SLURMD_PORT=${PHPC_SLURM_SLURMD_PORT:-19461}
SLURMD2_PORT=${PHPC_SLURM_SLURMD2_PORT:-19462}
NETNS=${PHPC_SLURM_NETNS:-phpc-slurm-n2}
VETH=${PHPC_SLURM_VETH:-phpc-sl}
NET=${PHPC_SLURM_NET:-10.251.0}
HOST_ADDR=$NET.1
NS_ADDR=$NET.2
NODE2=${PHPC_SLURM_NODE2:-auto}
TIMEOUT=${PHPC_SLURM_TIMEOUT:-60}
GRACE=${PHPC_SLURM_STOP_GRACE:-10}
CLUSTER=${PHPC_SLURM_CLUSTER:-phpclab}
BINS=(munged mungekey munge unmunge slurmctld slurmd slurmstepd sbatch squeue sinfo scontrol scancel ip unshare nsenter ss)

export SLURM_CONF=$CONF

# ------------------------------------------------------------------ processes ----
# is PID still the daemon we started: alive, the same start time, running EXE, its command line naming $STATE/
ours() { # exe pid starttime
  local exe
  pid_alive "$2" || return 1
  [ "$(proc_starttime "$2")" = "$3" ] || return 1
  exe=$(readlink "/proc/$2/exe" 2>/dev/null || true)
  [ "${exe% (deleted)}" = "$1" ] || return 1
  tr '\0' ' ' < "/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$STATE/"
}

live_procs() { # the lines of $PIDS whose daemon still runs
  local name exe pid st
  [ -f "$PIDS" ] || return 0
  while read -r name exe pid st; do
    [ -n "${st:-}" ] && ours "$exe" "$pid" "$st" && echo "$name $exe $pid $st"
  done < "$PIDS"
  return 0
}

# start one daemon in the foreground mode in its own session, every descriptor above 2 closed (a caller's pipe must
# not stay open), cwd $STATE (slurmstepd inherits slurmd's); PREFIX... (ip netns exec, unshare) exec in place, so
# the PID is the daemon's. Its PID and start time go into $PIDS once it runs EXE.
start_daemon() { # name binary [--via PREFIX... --] args...
  local name=$1 exe pid st i fd
  exe=$(readlink -f "$(command -v "$2")")
  shift 2
  local -a prefix=()
  if [ "${1:-}" = --via ]; then
    shift
    while [ "$1" != -- ]; do prefix+=("$1"); shift; done
    shift
  fi
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$STATE"
    exec setsid "${prefix[@]}" "$exe" "$@" < /dev/null >> "$LOGD/$name.out" 2>&1
  ) &
  pid=$!
  # wait for everything 'ours' checks, not only the exe: during an exec /proc/PID/exe names the new program a moment
  # before /proc/PID/cmdline holds its arguments (empty in between; once seen under load, 2026-12-04)
  for ((i = 0; i < 100; i++)); do
    ours "$exe" "$pid" "$(proc_starttime "$pid")" && break
    pid_alive "$pid" || break
    sleep 0.02
  done
  st=$(proc_starttime "$pid")
  echo "$name $exe $pid $st" >> "$PIDS"
  ours "$exe" "$pid" "$st" || { tail -n 20 "$LOGD/$name.out" >&2; die "$name did not start (pid $pid; log $LOGD/$name.out)"; }
  info "$name started (pid $pid)"
}

still_running() { # name: dies with the log when that daemon has exited
  local n exe pid st
  read -r n exe pid st < <(grep "^$1 " "$PIDS" | tail -n 1) || die "$1 was not started"
  ours "$exe" "$pid" "$st" && return 0
  tail -n 30 "$LOGD/$1.out" "$LOGD/$1.log" 2>/dev/null >&2 || true
  die "$1 (pid $pid) exited (logs: $LOGD/$1.out, $LOGD/$1.log)"
}

wait_until() { # seconds what daemon cmd...: polls cmd every 0.1 s; dies when the daemon exits or time runs out
  local secs=$1 what=$2 daemon=$3 end
  shift 3
  end=$((SECONDS + secs))
  until "$@" > /dev/null 2>&1; do
    still_running "$daemon"
    [ "$SECONDS" -lt "$end" ] || die "no $what after $secs s (logs: $LOGD)"
    sleep 0.1
  done
}


# ------------------------------------------------------------------ network ----
netns_exists() { [ -e "/run/netns/$NETNS" ]; }

net_up() {
  if ip link show "${VETH}0" > /dev/null 2>&1 || netns_exists; then net_down; fi
  ip netns add "$NETNS" || return 1
  ip -n "$NETNS" link set lo up
  ip link add "${VETH}0" type veth peer name "${VETH}1" netns "$NETNS"
  ip addr add "$HOST_ADDR/30" dev "${VETH}0"
  ip link set "${VETH}0" up
  ip -n "$NETNS" addr add "$NS_ADDR/30" dev "${VETH}1"
  ip -n "$NETNS" link set "${VETH}1" up
  # no default route in the namespace: only the /30 and its own lo are reachable from there
}

net_down() {
  # deleting the host end deletes its peer; the namespace goes last (its removal is asynchronous)
  ! ip link show "${VETH}0" > /dev/null 2>&1 || ip link del "${VETH}0" 2>/dev/null || true
  ! netns_exists || ip netns del "$NETNS" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    ! ip link show "${VETH}0" > /dev/null 2>&1 && ! netns_exists && return 0
    sleep 0.1
  done
  warn "veth ${VETH}0 or namespace $NETNS still there"
  return 1
}

# ------------------------------------------------------------------ config ----
detect_hw() {
  local line
  line=$(slurmd -C 2>/dev/null | head -n 1) || true
  HW_CPUS=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<< "$line")
  HW_SOCKETS=$(sed -n 's/.* SocketsPerBoard=\([0-9]*\).*/\1/p' <<< "$line")
  HW_CORES=$(sed -n 's/.* CoresPerSocket=\([0-9]*\).*/\1/p' <<< "$line")
  HW_THREADS=$(sed -n 's/.* ThreadsPerCore=\([0-9]*\).*/\1/p' <<< "$line")
  HW_MEM=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<< "$line")
  if [ -z "$HW_CPUS" ] || [ -z "$HW_MEM" ]; then
    HW_CPUS=$(nproc); HW_SOCKETS=1; HW_CORES=$HW_CPUS; HW_THREADS=1
    HW_MEM=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
  fi
}

write_conf() { # ctld_addr with_node2
  detect_hw
  mkdir -p "$STATE/etc"
  : > "$STATE/etc/plugstack.conf"   # empty: the system's /etc/slurm/plugstack.conf.d is not read
  local hw="CPUs=$HW_CPUS Boards=1 SocketsPerBoard=$HW_SOCKETS CoresPerSocket=$HW_CORES ThreadsPerCore=$HW_THREADS RealMemory=$HW_MEM"
  local nodes=node1
  [ "$2" = 0 ] || nodes=node1,node2
  cat > "$CONF" <<EOF
# written by scripts/lib/slurm-lab.sh up: a private test cluster; node1 on 127.0.0.1, node2 in the network
# namespace $NETNS ($NS_ADDR), slurmctld on $1
ClusterName=$CLUSTER
SlurmctldHost=$1
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
# each daemon listens on the address its host name resolves to (slurm-lab.sh sets the host names), not on all
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool/%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.%n.pid
SlurmctldLogFile=$LOGD/slurmctld.log
SlurmdLogFile=$LOGD/slurmd.%n.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$STATE/etc/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/backfill
# a job starts at the next scheduling pass, not up to 3 s later
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# a job without --mem would otherwise take the node's whole memory
DefMemPerCPU=256
PriorityType=priority/basic
ReturnToService=2
KillWait=5
InactiveLimit=0
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=node1 NodeAddr=127.0.0.1 Port=$SLURMD_PORT $hw State=UNKNOWN
EOF
  if [ "$2" = 1 ]; then
    echo "NodeName=node2 NodeAddr=$NS_ADDR Port=$SLURMD2_PORT $hw State=UNKNOWN" >> "$CONF"
  fi
  cat >> "$CONF" <<EOF
PartitionName=debug Nodes=node1 Default=YES MaxTime=INFINITE State=UP
PartitionName=backup Nodes=$nodes Default=NO MaxTime=INFINITE State=UP
EOF
}

# ------------------------------------------------------------------ commands ----
preflight() {
  is_root || die "run as root (slurmd runs jobs as their users; the namespace needs CAP_NET_ADMIN)"
  local b p
  local -a miss=()
  for b in "${BINS[@]}"; do p=$(command -v "$b" 2>/dev/null) && [ -x "$p" ] || miss+=("$b"); done
  [ ${#miss[@]} -eq 0 ] || die "missing: ${miss[*]} (packages slurm-wlm munge iproute2: scripts/install-deps.sh)"
  case $CTLD_PORT$SLURMD_PORT$SLURMD2_PORT in *[!0-9]*) die "ports must be numbers";; esac
  [[ $NET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "PHPC_SLURM_NET must be three octets (e.g. 10.251.0)"
  [ "$(getent ahostsv4 "$(hostname)" | awk 'NR == 1 { print $1 }')" = 127.0.0.1 ] \
    || die "this host's name $(hostname) does not resolve to 127.0.0.1: node1's slurmd would listen elsewhere"
}

ctld_ok() { scontrol ping 2> /dev/null | grep -q 'is UP'; }
node_state() { sinfo -h -N -n "$1" -o '%T' 2> /dev/null | head -n 1; }
node_idle() { [ "$(node_state "$1")" = idle ]; }
with_node2() { [ -f "$STATE/node2" ]; }
munge_ok() { munge -n -S "$MUNGE_SOCK" | unmunge -S "$MUNGE_SOCK" > /dev/null; }

is_up() {
  [ -f "$PIDS" ] && [ -f "$CONF" ] || return 1
  local live n
  live=$(live_procs)
  local -a want=(munged slurmctld slurmd.node1)
  ! with_node2 || want+=(slurmd.node2)
  for n in "${want[@]}"; do grep -q "^$n " <<< "$live" || return 1; done
  ! with_node2 || netns_exists || return 1
  ctld_ok
}

up_inner() {
  local t0 n2=0 ctld_addr=127.0.0.1 p
  t0=$(date +%s%N)
  mkdir -p "$RUN" "$LOGD" "$MUNGE_DIR" "$STATE/state" "$STATE/spool/node1" "$STATE/spool/node2"
  : > "$PIDS"
  for p in "$CTLD_PORT" "$SLURMD_PORT"; do
    ! port_listening "$p" || die "port $p is in use (another lab?): set PHPC_SLURM_CTLD_PORT/PHPC_SLURM_SLURMD_PORT"
  done
  if [ "$NODE2" != 0 ]; then
    if net_up 2> "$LOGD/net.err"; then
      n2=1; ctld_addr=$HOST_ADDR
      : > "$STATE/node2"
    else
      warn "no network namespace ($(tr '\n' ' ' < "$LOGD/net.err")): node1 only"
      net_down 2>/dev/null || true
    fi
  fi
  write_conf "$ctld_addr" "$n2"
  echo "=== $(date -Is) up" >> "$LOGD/up.log"

  [ -s "$MUNGE_KEY" ] || mungekey --create --keyfile="$MUNGE_KEY" >> "$LOGD/up.log" 2>&1 || die "mungekey failed"
  chmod 0600 "$MUNGE_KEY"
  start_daemon munged munged -F --force --key-file="$MUNGE_KEY" --socket="$MUNGE_SOCK" \
    --pid-file="$RUN/munged.pid" --log-file="$LOGD/munged.log" --seed-file="$MUNGE_DIR/munged.seed"
  wait_until "$TIMEOUT" "munged on $MUNGE_SOCK" munged munge_ok

  # the host name is the address to listen on (see the header); "$0" is the name, the rest the daemon
  # shellcheck disable=SC2016  # expanded by that sh, from its arguments
  local -a as_host=(sh -c 'hostname "$0" && exec "$@"')
  start_daemon slurmctld slurmctld --via unshare --uts "${as_host[@]}" "$ctld_addr" -- -D -f "$CONF"
  wait_until "$TIMEOUT" "slurmctld answering on $ctld_addr:$CTLD_PORT" slurmctld ctld_ok
  start_daemon slurmd.node1 slurmd -D -f "$CONF" -N node1
  if [ "$n2" = 1 ]; then
    # nsenter, not 'ip netns exec': that one remounts /sys for the namespace, without /sys/fs/cgroup, and slurmd
    # 22.05 gives up without it
    start_daemon slurmd.node2 slurmd --via nsenter --net="/run/netns/$NETNS" unshare --uts "${as_host[@]}" "$NS_ADDR" -- \
      -D -f "$CONF" -N node2
  fi
  local n end=$((SECONDS + TIMEOUT))
  for n in node1 node2; do
    [ "$n" = node1 ] || [ "$n2" = 1 ] || continue
    until node_idle "$n"; do
      still_running "slurmd.$n"
      case $(node_state "$n") in
        down*|drain*|fail*) scontrol update NodeName="$n" State=RESUME > /dev/null 2>&1 || true;;
      esac
      [ "$SECONDS" -lt "$end" ] || { sinfo -R >&2 || true; die "node $n not idle after $TIMEOUT s (logs: $LOGD)"; }
      sleep 0.1
    done
  done
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "up_ms=$ms nodes=$([ "$n2" = 1 ] && echo node1,node2 || echo node1)" > "$STATE/up.measured"
  info "up in $((ms / 1000)).$(printf %03d $((ms % 1000))) s: nodes $(sinfo -h -N -o '%N=%T' | sort -u | paste -sd' '), slurmctld $ctld_addr:$CTLD_PORT; export SLURM_CONF=$CONF"
}

cmd_up() {
  preflight
  ensure_state_dir "$STATE"
  if is_up; then info "already up (SLURM_CONF=$CONF)"; return 0; fi
  if [ -f "$PIDS" ] || netns_exists || ip link show "${VETH}0" > /dev/null 2>&1; then
    info "leftovers of an earlier lab in $STATE: stopping them first"
    cmd_down || true
    ensure_state_dir "$STATE"
  fi
  rm -rf -- "${STATE:?}"/{state,spool,run,log,etc} "$STATE/node2" "$STATE/up.measured"
  if ! (up_inner); then
    warn "up failed: stopping what it started (logs kept in $LOGD)"
    cmd_down || true
    exit 1
  fi
}

# job steps of this lab still running without their slurmd (slurmd does not end them when it stops), and everything
# below them: slurmstepd processes whose command line or open files name $STATE, by PID
leftover_pids() {
  local p exe
  local -a stepds=()
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
    [[ ${exe##*/} == slurmstepd* ]] || continue
    if ls -l "/proc/$p/fd" 2>/dev/null | grep -qF -- "$STATE/"; then stepds+=("$p"); fi
  done
  [ ${#stepds[@]} -gt 0 ] || return 0
  ps -e -o pid=,ppid= | awk -v roots="${stepds[*]}" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2; pids[NR] = $1 }
    END { changed = 1
          while (changed) { changed = 0
            for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } }
          for (p in keep) print p }'
}

stop_named() { # grace name-prefix...: TERM the live daemons whose name starts with one, wait, KILL the rest
  local grace=$1 n exe pid st i pre match
  shift
  match() { local x; for x in "$@"; do [[ $n == "$x"* ]] && return 0; done; return 1; }
  while read -r n exe pid st; do match "$@" && kill -TERM "$pid" 2>/dev/null || true; done < <(live_procs)
  for ((i = 0; i < grace * 10; i++)); do
    pre=0
    while read -r n exe pid st; do match "$@" && pre=1; done < <(live_procs)
    [ "$pre" = 1 ] || return 0
    sleep 0.1
  done
  while read -r n exe pid st; do
    if match "$@"; then info "$n (pid $pid) still there $grace s after TERM: KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  done < <(live_procs)
}

cmd_down() {
  if [ ! -e "$STATE" ] && [ ! -L "$STATE" ]; then
    info "nothing to stop ($STATE does not exist)"
    ! netns_exists || net_down
    return 0
  fi
  ensure_state_dir --check "$STATE"
  local t0 rc=0 jobs i l
  t0=$(date +%s%N)
  local -a live=()
  mapfile -t live < <(live_procs)
  # the jobs first, through slurmctld: slurmd leaves running steps behind when it stops
  if grep -q '^slurmctld ' <<< "$(live_procs)" && ctld_ok; then
    jobs=$(squeue -h -o %A 2>/dev/null | paste -sd' ')
    if [ -n "$jobs" ]; then
      info "cancelling jobs $jobs"
      # shellcheck disable=SC2086  # job ids, one word each
      scancel $jobs 2>/dev/null || true
      for ((i = 0; i < 300; i++)); do [ -n "$(squeue -h -o %A 2>/dev/null)" ] || break; sleep 0.1; done
    fi
  fi
  stop_named "$GRACE" slurmd. slurmctld
  stop_named "$GRACE" munged
  local left
  left=$(leftover_pids | sort -n | paste -sd' ')
  if [ -n "$left" ]; then
    warn "job processes of this lab left behind, killing them by PID: $left"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  net_down || rc=1
  if [ -n "$(live_procs)" ]; then warn "still running: $(live_procs | awk '{ print $1 "=" $3 }' | paste -sd' ')"; rc=1; fi
  # an exited daemon stays a zombie until init reaps it: wait for that, so nothing of the lab is listed afterwards
  for ((i = 0; i < 50; i++)); do
    local z=0 n exe pid st
    for l in "${live[@]}"; do read -r n exe pid st <<< "$l"; [ "$(proc_starttime "$pid")" != "$st" ] || z=1; done
    [ "$z" = 1 ] || break
    sleep 0.1
  done
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ ${#live[@]} -eq 0 ] || info "stopped $(printf '%s\n' "${live[@]}" | awk '{ print $1 "=" $3 }' | paste -sd' ') in $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
  if [ "$rc" = 0 ]; then
    rm -rf -- "${STATE:?}"/{state,spool,run,etc} "$STATE/node2" "$STATE/up.measured" "$MUNGE_DIR"
  fi
  return "$rc"
}

cmd_status() {
  [ -e "$STATE" ] || { echo "not up ($STATE does not exist)"; return 1; }
  ensure_state_dir --check "$STATE"
  local n exe pid st
  while read -r n exe pid st; do printf '%-14s pid %s\n' "$n" "$pid"; done < <(live_procs)
  if netns_exists; then echo "namespace $NETNS: $(ip -n "$NETNS" -4 -o addr show dev "${VETH}1" 2>/dev/null | awk '{ print $4 }')"; fi
  echo "SLURM_CONF=$CONF"
  if [ -f "$CONF" ] && ctld_ok; then
    sinfo -N -o '%N %P %T %c %m' 2>/dev/null || true
    squeue -o '%i %P %j %T %N' 2>/dev/null || true
  fi
  is_up || { echo "not up"; return 1; }
}

cmd_nodes() {
  echo "node1 127.0.0.1"
  ! with_node2 || echo "node2 $NS_ADDR"
}

case ${1:-} in
  up) cmd_up;;
  down) cmd_down;;
  status) cmd_status;;
  env) echo "export SLURM_CONF=$CONF";;
  pids) [ ! -e "$STATE" ] || { ensure_state_dir --check "$STATE"; live_procs | awk '{ print $1, $3 }'; };;
  nodes) cmd_nodes;;
  -h|--help|help) sed -n '2,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//';;
  *) echo "usage: ${0##*/} up|down|status|env|pids|nodes (see --help)" >&2; exit 2;;
esac
