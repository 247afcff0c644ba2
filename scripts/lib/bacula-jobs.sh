# shellcheck shell=bash
# bacula-jobs.sh -- part of the podheitor-hpc Bacula test harness. Sourced by
# bacula-harness.sh (the entry point: command line, help text, settings,
# sourcing contract); defines functions only and runs nothing itself.
#
# Owns JOB RUNS WITH MEASUREMENT: the /proc sampler and CPU/RSS helpers,
# run_and_report (run or restore, wait, report, results.tsv), and the
# commands backup, backup-plugin, estimate, estimate-plugin, restore,
# restore-select, restore-latest.

# --------------------------------------------------------------- measurement ----
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
  printf 'wait jobid=%s\n' "$jobid" | timeout "$wt" "${BH_BCONSOLE[@]}" -n -c "$ETC/bconsole.conf" >/dev/null 2>&1 || wrc=$?
  if [ "$wrc" = 124 ]; then
    warn "job $jobid exceeded JOB_TIMEOUT=$wt s: cancelling it"
    bcmd "cancel jobid=$jobid yes" >/dev/null 2>&1 || true
  elif [ "$wrc" != 0 ]; then
    warn "bconsole 'wait jobid=$jobid' exited with $wrc; polling the catalog instead"
  fi
  # the director may report completion slightly before the catalog row is final
  # shellcheck disable=SC2178  # a string here; 'st' is an array only in other functions
  local st="" i
  # shellcheck disable=SC2178,SC2128  # (same)
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
                    $(sql_epoch EndTime) - $(sql_epoch StartTime),
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
  # FD stream window: first..last sample in which bacula-fd wrote >= 1 MiB (file data
  # flowing), and the time from the first socket write to it (the job's set-up and,
  # through the plugin, the backend's start until the first record)
  local fdstream fdlead
  read -r fdstream fdlead < <(awk '
      NR==1 {w=$3; next}
      $3 - w >= 1048576 { if (!f) f=prev; l=$1 }
      $3 != w && !a { a=prev }
      {prev=$1; w=$3}
      END { if (f) printf "%.2f %.2f\n", l-f, f-a; else print "0 -" }' "$samp" 2>/dev/null || echo "0 -")
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
  echo "FD_stream_s=$fdstream      (bacula-fd writing >= 1 MiB per sample, first..last)"
  echo "FD_stream_lead_s=$fdlead  (bacula-fd's first write .. the stream's start)"
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

# --------------------------------------------------------- backup / estimate ----
norm_level() {
  case "${1,,}" in
    ""|f|full) echo Full;;
    i|inc|incr|incremental) echo Incremental;;
    d|diff|differential) echo Differential;;
    *) die "unknown level '$1' (Full|Incremental|Differential)";;
  esac
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
        | timeout "${JOB_TIMEOUT:-0}" "${BH_BCONSOLE[@]}" -n -c "$ETC/bconsole.conf" 2>&1) || true
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

# ------------------------------------------------------------------- restore ----
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
  chain=$(sql "SELECT JobId || Level FROM Job
                WHERE Name = '$name' AND Type = 'B' AND JobStatus IN ('T','W') ORDER BY JobId" | paste -sd' ' -)
  info "restore-latest: job $name fileset $fs (backups: $chain)"
  dest=$(restore_dest "$dest")
  local extra="$*"
  # 'current' = the most recent backup state of this client+fileset: the last
  # Full and the Differential/Incrementals after it
  run_and_report restore "restore client=$CLIENT fileset=\"$fs\" restorejob=$RESTOREJOB where=\"$dest\"${extra:+ $extra} current select all done yes" \
    Full "latest $name -> $dest" "$RESTOREJOB"
}

# --------------------------------------------------- jobs defined elsewhere ----
job_defined() { bcmd ".jobs" 2>/dev/null | grep -qxF "$1"; }

# run JOB [LEVEL]: a Job the harness did not define (a 'dir-include' file's), measured like 'backup'
cmd_run() {
  [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: run JOB [LEVEL]"
  require_up
  [[ "$1" =~ ^[A-Za-z0-9_.:-]+$ ]] || die "bad job name '$1'"
  job_defined "$1" || die "the director has no Job '$1' ('bacula-harness.sh dir-include FILE' adds one)"
  run_and_report backup "$1" "$(norm_level "${2:-Full}")" "job:$1"
}

# run-jobs [--level LEVEL] JOB...: queue the Jobs in ONE bconsole session (so that they start together, as
# far as the Maximum Concurrent Jobs of Director, Client, Storage, Device and Job let them), wait for all of
# them, then one line per job from the catalog and a summary:
#   JobId=N Job=NAME Level=F JobStatus=T JobFiles=N JobBytes=N Start=YYYY-MM-DDTHH:MM:SS End=... Elapsed_s=N Pool=P Volumes=V1,V2
#   Jobs=N OK=N First_start=... Last_end=... Span_s=N Wall_s=X.XX Overlap=yes|no
# Span_s: first StartTime to last EndTime (catalog, 1 s resolution); Wall_s: the harness's 'run' sent .. all
# terminated; Overlap=yes: the latest StartTime is before the earliest EndTime, i.e. all of them ran at one
# moment. Exit status 1 unless every job ended T or W.
cmd_run_jobs() {
  local usage="usage: run-jobs [--level LEVEL] JOB..." level=Full j
  if [ "${1:-}" = --level ]; then [ $# -ge 2 ] || die "$usage"; level=$(norm_level "$2"); shift 2; fi
  [ $# -ge 1 ] || die "$usage"
  require_up
  local -a cmds=() ids=()
  for j in "$@"; do
    [[ "$j" =~ ^[A-Za-z0-9_.:-]+$ ]] || die "bad job name '$j'"
    job_defined "$j" || die "the director has no Job '$j'"
    cmds+=("run job=$j level=$level yes")
  done
  local t0 t1 out
  t0=$EPOCHREALTIME
  out=$(bcmd "${cmds[@]}" 2>&1) || true
  mapfile -t ids < <(sed -n 's/.*Job queued\. JobId=\([0-9][0-9]*\).*/\1/p' <<< "$out")
  if [ ${#ids[@]} -ne $# ]; then
    echo "$out" >&2
    die "run-jobs: ${#ids[@]} of $# jobs queued"
  fi
  info "run-jobs: JobIds ${ids[*]} queued ($level); waiting..."
  local id st i wrc
  for id in "${ids[@]}"; do
    wrc=0
    printf 'wait jobid=%s\n' "$id" | timeout "${JOB_TIMEOUT:-0}" "${BH_BCONSOLE[@]}" -n -c "$ETC/bconsole.conf" >/dev/null 2>&1 || wrc=$?
    if [ "$wrc" = 124 ]; then
      warn "job $id exceeded JOB_TIMEOUT=${JOB_TIMEOUT:-0} s: cancelling it"
      bcmd "cancel jobid=$id yes" >/dev/null 2>&1 || true
    fi
    for ((i = 0; i < 600; i++)); do
      st=$(sql "SELECT JobStatus FROM Job WHERE JobId=$id" 2>/dev/null || true)
      case "$st" in T|W|E|e|f|A|I) break;; esac
      sleep 0.5
    done
  done
  t1=$EPOCHREALTIME
  local ok=0 row name lvl js files bytes s e se ee pool vols first="" last="" fe="" le="" maxs="" mine=""
  for id in "${ids[@]}"; do
    row=$(sql "SELECT j.JobId, j.Name, j.Level, j.JobStatus, j.JobFiles, j.JobBytes, j.StartTime, j.EndTime,
                      $(sql_epoch j.StartTime), $(sql_epoch j.EndTime), p.Name
                 FROM Job j LEFT JOIN Pool p ON p.PoolId = j.PoolId WHERE j.JobId = $id")
    IFS=$'\t' read -r _ name lvl js files bytes s e se ee pool <<< "$row"
    vols=$(sql "SELECT DISTINCT m.VolumeName FROM JobMedia jm JOIN Media m ON m.MediaId = jm.MediaId
                 WHERE jm.JobId = $id ORDER BY 1" | paste -sd, -)
    cmd_joblog "$id" > "$LOGD/job-$id.log" 2>/dev/null || true
    echo "JobId=$id Job=$name Level=$lvl JobStatus=$js JobFiles=$files JobBytes=$bytes Start=${s/ /T} End=${e/ /T} Elapsed_s=$(( ${ee:-0} - ${se:-0} )) Pool=${pool:--} Volumes=${vols:--}"
    case "$js" in T|W) ok=$((ok + 1));; esac
    [[ "$se" =~ ^[0-9]+$ ]] && [[ "$ee" =~ ^[0-9]+$ ]] || continue
    if [ -z "$fe" ] || [ "$se" -lt "$fe" ]; then fe=$se; first=${s/ /T}; fi
    if [ -z "$le" ] || [ "$ee" -gt "$le" ]; then le=$ee; last=${e/ /T}; fi
    if [ -z "$maxs" ] || [ "$se" -gt "$maxs" ]; then maxs=$se; fi
    if [ -z "$mine" ] || [ "$ee" -lt "$mine" ]; then mine=$ee; fi
  done
  local overlap=no
  [ -n "$maxs" ] && [ "$maxs" -lt "$mine" ] && overlap=yes
  echo "Jobs=${#ids[@]} OK=$ok First_start=${first:--} Last_end=${last:--} Span_s=$(( ${le:-0} - ${fe:-0} )) Wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') Overlap=$overlap"
  [ "$ok" = ${#ids[@]} ]
}
