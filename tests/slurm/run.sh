#!/usr/bin/env bash
# The Slurm test harness's own tests (part "slurm" of scripts/test.sh; ~30 s): start the private Slurm of
# scripts/lib/slurm-lab.sh (munged, slurmctld, node1 on 127.0.0.1, node2 in its own network namespace) and run
# hpc-slurm's SlurmSubmitter against it (SlurmJobMain, the test's command around it): a job completes, with a token
# that reaches the job through the environment and shows on no command line; a job pinned to node2 connects back
# over TCP to a listener on the host's veth address, which sees the peer 10.251.0.2 ("another host"); a running job
# cancelled by the submitter is seen CANCELLED and its processes are gone; a job to a partition that does not exist
# is refused with sbatch's message; a job still pending after the pending timeout is cancelled. Then 'down', and
# nothing of the lab is left: no daemon, no job process, no namespace, no veth.
#
# Every test prints "PASS NN name: detail", "FAIL NN name: why" or "SKIP NN name: why" (counted as skipped, never
# as passed). Without the slurm packages or root the whole part is one SKIP with the reason; without network
# namespaces the node2 tests are SKIPs. The skipped tests are listed again at the end; the last line is
# "N passed, N failed, N skipped"; exit 1 if a test failed. A trap on EXIT/INT/TERM stops the submitter and the
# listener by PID (the submitter runs in the background and is waited for, so that a TERM reaches the trap at once)
# and runs 'slurm-lab.sh down' (the jobs cancelled, the daemons stopped by PID), also when a test fails.
#
# env: SLURM_TEST_STATE=/tmp/podheitor-hpc-slurm-test (the lab's PHPC_SLURM_STATE),
#      SLURM_TEST_PORT=19470 (slurmctld; node1 +1, node2 +2, the test's listener +3),
#      SLURM_TEST_NETNS=phpc-slurm-t2, SLURM_TEST_NET=10.251.0 (the lab's namespace and /30)
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PHPC_PROG=slurm-test
# shellcheck source=../../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
LAB=$ROOT/scripts/lib/slurm-lab.sh
BASE_PORT=${SLURM_TEST_PORT:-19470}
export PHPC_SLURM_STATE=${SLURM_TEST_STATE:-/tmp/podheitor-hpc-slurm-test}
export PHPC_SLURM_CTLD_PORT=$BASE_PORT PHPC_SLURM_SLURMD_PORT=$((BASE_PORT + 1)) PHPC_SLURM_SLURMD2_PORT=$((BASE_PORT + 2))
export PHPC_SLURM_NETNS=${SLURM_TEST_NETNS:-phpc-slurm-t2} PHPC_SLURM_VETH=phpc-st
export PHPC_SLURM_NET=${SLURM_TEST_NET:-10.251.0}
LISTEN_PORT=$((BASE_PORT + 3))
HOST_ADDR=$PHPC_SLURM_NET.1
NS_ADDR=$PHPC_SLURM_NET.2
JAR=$ROOT/hpc-slurm/target/hpc-slurm.jar

RUNNER=slurm
# shellcheck source=../../scripts/lib/test-counts.sh
. "$ROOT/scripts/lib/test-counts.sh"
secs() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); echo "$((ms / 1000)).$(printf %03d $((ms % 1000)))"; }

# ------------------------------------------------------------ can it run here ----
have() { local p; p=$(command -v "$1" 2>/dev/null) && [ -x "$p" ]; }
why=""
is_root || why="not root (slurmd runs the jobs; the namespace needs CAP_NET_ADMIN)"
for b in slurmctld slurmd sbatch squeue scancel munged mungekey python3; do
  [ -n "$why" ] || have "$b" || why="$b not installed (packages slurm-wlm munge: scripts/install-deps.sh)"
done
JDK=""
[ -n "$why" ] || JDK=$(find_jdk 2>/dev/null) || why="no JDK >= 22 (the submitter is Java)"
if [ -n "$why" ]; then
  skip "00 Slurm tests" "$why"
  finish; exit
fi
JAVA=$JDK/bin/java

LAB_UP=0 LISTENER="" SUBMITTER=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/podheitor-hpc-slurm-work.XXXXXX")   # job scripts and outputs
cleanup() {
  if [ -n "$SUBMITTER" ]; then kill "$SUBMITTER" 2>/dev/null || true; wait "$SUBMITTER" 2>/dev/null || true; SUBMITTER=""; fi
  if [ -n "$LISTENER" ]; then kill "$LISTENER" 2>/dev/null || true; wait "$LISTENER" 2>/dev/null || true; LISTENER=""; fi
  if [ "$LAB_UP" = 1 ]; then
    LAB_UP=0
    "$LAB" down > /dev/null 2>&1 || echo "slurm-test: 'slurm-lab.sh down' failed; see $PHPC_SLURM_STATE/log" >&2
  fi
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# built by scripts/build.sh; (re)built here when missing or older than a source of hpc-slurm
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/hpc-slurm/src/main" "$ROOT/hpc-slurm/pom.xml" -newer "$JAR" -print -quit)" ]; then
  (cd "$ROOT" && JAVA_HOME=$JDK nice -n 19 mvn -B -q -o package -pl hpc-slurm -DskipTests > "$WORK/mvn.log" 2>&1) || true
fi
[ -f "$JAR" ] || { fail "00 submitter jar" "$JAR missing and could not be built (scripts/build.sh): $(tail -n 3 "$WORK/mvn.log" 2>/dev/null | tr '\n' ' ')"; finish; exit; }

# the submitter: SlurmJobMain (hpc-slurm) with the lab's SLURM_CONF; its output in $WORK/NAME.log
# (in the background and waited for: a TERM to this script runs the trap at once, which stops it by PID)
submit() { # name args...
  local name=$1 rc=0; shift
  env SLURM_CONF="$PHPC_SLURM_STATE/etc/slurm.conf" "$JAVA" -cp "$JAR" io.podheitor.hpc.slurm.SlurmJobMain "$@" \
    > "$WORK/$name.log" 2>&1 &
  SUBMITTER=$!
  wait "$SUBMITTER" || rc=$?
  SUBMITTER=""
  return "$rc"
}
outcome() { sed -n 's/^outcome //p' "$WORK/$1.log" | tail -n 1; }
jobid() { sed -n 's/^submitted \([0-9]*\).*/\1/p' "$WORK/$1.log" | head -n 1; }
sq() { SLURM_CONF="$PHPC_SLURM_STATE/etc/slurm.conf" "$@"; }

# ------------------------------------------------------------------------ up ----
t0=$(date +%s%N)
if out=$(nice -n 19 "$LAB" up 2>&1); then
  LAB_UP=1
  up_s=$(secs "$t0")
  nodes=$("$LAB" nodes | awk '{ print $1 }' | paste -sd, -)
  states=$(sq sinfo -h -N -o '%N=%T' | sort -u | paste -sd' ' -)
  if "$LAB" status > /dev/null 2>&1; then
    pass "01 up" "nodes $states in $up_s s ($(cat "$PHPC_SLURM_STATE/up.measured"))"
  else
    fail "01 up" "'up' succeeded, but 'status' says not up: $states"
  fi
else
  LAB_UP=1   # whatever it left is stopped by the trap
  fail "01 up" "$(tail -n 5 <<< "$out" | tr '\n' ' ')"
  finish; exit
fi
NODE2=0
[ "$nodes" = node1,node2 ] && NODE2=1
pids1=$("$LAB" pids | sort)
t1=$(date +%s%N)
out=$("$LAB" up 2>&1) || true
if [ "$("$LAB" pids | sort)" = "$pids1" ] && [[ $out == *"already up"* ]]; then
  pass "02 up is idempotent" "the same $(wc -l <<< "$pids1") daemons ($(awk '{ printf "%s%s=%s", sep, $1, $2; sep=" " }' <<< "$pids1")), $(secs "$t1") s"
else
  fail "02 up is idempotent" "daemons before: $pids1; after: $("$LAB" pids | sort | paste -sd' '); $out"
fi

# --------------------------------------------------------------- addresses ----
ports="$PHPC_SLURM_CTLD_PORT|$PHPC_SLURM_SLURMD_PORT|$PHPC_SLURM_SLURMD2_PORT"
host_l=$(ss -Hltn | awk -v re=":($ports)\$" '$4 ~ re { print $4 }' | sort | paste -sd' ' -)
if [ "$NODE2" = 1 ]; then
  ns_l=$(nsenter --net="/run/netns/$PHPC_SLURM_NETNS" ss -Hltn | awk '{ print $4 }' | sort | paste -sd' ' -)
  ns_routes=$(ip -n "$PHPC_SLURM_NETNS" -4 route show | paste -sd';' -)
  want_host=$(printf '%s\n' "$HOST_ADDR:$PHPC_SLURM_CTLD_PORT" "127.0.0.1:$PHPC_SLURM_SLURMD_PORT" | sort | paste -sd' ' -)
  if [ "$host_l" = "$want_host" ] && [ "$ns_l" = "$NS_ADDR:$PHPC_SLURM_SLURMD2_PORT" ] && [[ $ns_routes != *default* ]]; then
    pass "03 addresses" "host: $host_l; namespace $PHPC_SLURM_NETNS: $ns_l, routes: $ns_routes (no default route)"
  else
    fail "03 addresses" "host listens on '$host_l' (want '$want_host'), namespace on '$ns_l', routes '$ns_routes'"
  fi
else
  if [ "$host_l" = "127.0.0.1:$PHPC_SLURM_CTLD_PORT 127.0.0.1:$PHPC_SLURM_SLURMD_PORT" ]; then
    pass "03 addresses" "node1 only (no network namespace): $host_l"
  else
    fail "03 addresses" "host listens on '$host_l'"
  fi
fi

# --------------------------------------------------------- a job completes ----
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export PHPC_TEST_TOKEN=$TOKEN
t1=$(date +%s%N)
submit complete --partition backup --cpus 1 --mem 64M --time-seconds 120 --job-name phpc-complete \
  --output "$WORK/%j.out" --extra -w --extra node1 --env PHPC_TEST_TOKEN --deadline 120 \
  --wrap 'echo "node=$SLURMD_NODENAME token=$PHPC_TEST_TOKEN"' || true
j=$(jobid complete)
o=$(outcome complete)
jout=$(cat "$WORK/$j.out" 2>/dev/null || true)
shown=$(sq scontrol show job "$j" 2>/dev/null || true)
if [[ $o == "Completed Slurm job $j COMPLETED" ]] && [ "$jout" = "node=node1 token=$TOKEN" ] \
   && [[ $shown == *JobState=COMPLETED* ]] && [[ $shown != *"$TOKEN"* ]] && ! grep -q "$TOKEN" "$WORK/complete.log"; then
  pass "04 a job completes" "job $j on node1 COMPLETED in $(secs "$t1") s (submit to outcome, JVM start included); the token reached the job through the environment, not in 'scontrol show job'"
else
  fail "04 a job completes" "outcome '$o', job output '$jout', token in scontrol: $([[ $shown == *"$TOKEN"* ]] && echo yes || echo no); $(tr '\n' ' ' < "$WORK/complete.log")"
fi

# ---------------------------------------------- node2 connects back by TCP ----
if [ "$NODE2" = 1 ]; then
  cat > "$WORK/listen.py" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(120)
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write("listening\n")
import os
os.rename(sys.argv[3] + ".tmp", sys.argv[3] + ".ready")
c, peer = s.accept()
c.settimeout(30)
data = b""
while not data.endswith(b"\n"):
    b = c.recv(4096)
    if not b:
        break
    data += b
c.sendall(b"ack\n")
c.close()
with open(sys.argv[3], "w") as f:
    f.write("peer=%s %s" % (peer[0], data.decode(errors="replace")))
EOF
  cat > "$WORK/connect.py" <<'EOF'
#!/usr/bin/python3
import os, socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
c.sendall(("token=%s node=%s host=%s\n" % (os.environ.get("PHPC_TEST_TOKEN", ""), os.environ.get("SLURMD_NODENAME"),
                                            socket.gethostname())).encode())
print("answer=" + c.makefile().readline().strip())
EOF
  chmod 755 "$WORK/connect.py"
  python3 "$WORK/listen.py" "$HOST_ADDR" "$LISTEN_PORT" "$WORK/peer" &
  LISTENER=$!
  for ((i = 0; i < 100; i++)); do [ -f "$WORK/peer.ready" ] && break; sleep 0.05; done
  t1=$(date +%s%N)
  submit node2 --partition backup --cpus 1 --mem 64M --time-seconds 120 --job-name phpc-node2 \
    --output "$WORK/%j.out" --extra -w --extra node2 --env PHPC_TEST_TOKEN --deadline 120 \
    --script "$WORK/connect.py" "$HOST_ADDR" "$LISTEN_PORT" || true
  wait "$LISTENER" 2>/dev/null || true
  LISTENER=""
  j=$(jobid node2)
  o=$(outcome node2)
  peer=$(cat "$WORK/peer" 2>/dev/null || true)
  jout=$(cat "$WORK/$j.out" 2>/dev/null || true)
  if [[ $o == "Completed Slurm job $j COMPLETED" ]] && [ "$peer" = "peer=$NS_ADDR token=$TOKEN node=node2 host=$NS_ADDR" ] \
     && [ "$jout" = answer=ack ]; then
    pass "05 node2 connects back over TCP" "job $j on node2 connected to $HOST_ADDR:$LISTEN_PORT from $NS_ADDR with the token, got the answer; COMPLETED in $(secs "$t1") s"
  else
    fail "05 node2 connects back over TCP" "outcome '$o', listener saw '$peer', job output '$jout'"
  fi
else
  skip "05 node2 connects back over TCP" "no node2: no network namespace here, or PHPC_SLURM_NODE2=0 (see 'slurm-lab.sh up')"
fi

# ------------------------------------------------ scancel of a running job ----
t1=$(date +%s%N)
submit cancel --partition backup --cpus 1 --mem 64M --time-seconds 300 --job-name phpc-cancel \
  --output "$WORK/%j.out" --cancel-when-running --deadline 120 \
  --wrap "echo \$\$ > $WORK/cancel.pid; exec sleep 300" || true
j=$(jobid cancel)
o=$(outcome cancel)
jp=$(cat "$WORK/cancel.pid" 2>/dev/null || true)
for ((i = 0; i < 100; i++)); do [ -n "$jp" ] && [ -d "/proc/$jp" ] || break; sleep 0.1; done
if [[ $o == "EndedBadly Slurm job $j ended CANCELLED" ]] && grep -q '^cancel ok$' "$WORK/cancel.log" \
   && grep -q '^state RUNNING' "$WORK/cancel.log" && [ -n "$jp" ] && [ ! -d "/proc/$jp" ]; then
  pass "06 scancel of a running job" "job $j RUNNING, scancel by the submitter, seen CANCELLED; its process $jp is gone ($(secs "$t1") s)"
else
  fail "06 scancel of a running job" "outcome '$o', job pid '$jp' $([ -n "$jp" ] && [ -d "/proc/$jp" ] && echo "still running"); $(tr '\n' ' ' < "$WORK/cancel.log")"
fi

# ------------------------------------------------- a partition that is not ----
submit badpart --partition nosuchpart --cpus 1 --mem 64M --time-seconds 60 --job-name phpc-badpart \
  --wrap true || true
o=$(outcome badpart)
if [[ $o == "Rejected Slurm refused the job: sbatch: error: invalid partition specified: nosuchpart; sbatch: error: Batch job submission failed: Invalid partition name specified" ]] \
   && [ -z "$(jobid badpart)" ]; then
  pass "07 unknown partition refused" "$o"
else
  fail "07 unknown partition refused" "$(tr '\n' ' ' < "$WORK/badpart.log")"
fi

# ------------------------------------------------------ pending too long ----
t1=$(date +%s%N)
submit pending --partition backup --cpus 1 --mem 64M --time-seconds 60 --job-name phpc-pending \
  --extra --begin=now+3600 --pending-timeout 3 --deadline 60 --wrap true || true
j=$(jobid pending)
o=$(outcome pending)
st=$(sq squeue -h -t all -j "$j" -o %T 2>/dev/null || true)
if [[ $o == "PendingTooLong Slurm job $j still PENDING (BeginTime) after "*" s: cancelled" ]] && [ "$st" = CANCELLED ]; then
  pass "08 pending past the timeout is cancelled" "$o; squeue: $st ($(secs "$t1") s)"
else
  fail "08 pending past the timeout is cancelled" "outcome '$o', squeue '$st'; $(tr '\n' ' ' < "$WORK/pending.log")"
fi

# ---------------------------------------------------------------------- down ----
mapfile -t procs < <("$LAB" pids)
t1=$(date +%s%N)
LAB_UP=0
down_out=$("$LAB" down 2>&1) && down_rc=0 || down_rc=$?
down_s=$(secs "$t1")
alive=""
for l in "${procs[@]}"; do
  pid=${l#* }
  if [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then alive+="$l "; fi
done
strays=$(pgrep -a -f -- "$PHPC_SLURM_STATE/" || true)
steps=""
for p in $(pgrep slurmstepd || true); do
  ! ls -l "/proc/$p/fd" 2>/dev/null | grep -qF -- "$PHPC_SLURM_STATE/" || steps+="$p "
done
ns_left=$(ip netns list | awk -v n="$PHPC_SLURM_NETNS" '$1 == n' || true)
veth_left=$(ip -o link show "${PHPC_SLURM_VETH}0" 2>/dev/null || true)
if [ "$down_rc" = 0 ] && [ ${#procs[@]} = $((3 + NODE2)) ] && [ -z "$alive" ] && [ -z "$strays" ] && [ -z "$steps" ] \
   && [ -z "$ns_left" ] && [ -z "$veth_left" ] && [ ! -e "$PHPC_SLURM_STATE/etc/slurm.conf" ] && ! "$LAB" status > /dev/null 2>&1; then
  pass "09 down" "${#procs[@]} daemons stopped by PID in $down_s s; no process, job step, namespace or veth left"
else
  fail "09 down" "exit $down_rc, daemons before ${#procs[@]}, alive '$alive', strays '$strays', steps '$steps', netns '$ns_left', veth '$veth_left': $(tail -n 3 <<< "$down_out" | tr '\n' ' ')"
fi
if "$LAB" down > /dev/null 2>&1; then pass "10 down is idempotent"; else fail "10 down is idempotent" "a second 'down' failed"; fi

finish
