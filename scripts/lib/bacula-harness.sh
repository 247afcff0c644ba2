#!/usr/bin/env bash
# podheitor-hpc test harness: a private Bacula Director + Storage Daemon +
# File Daemon on 127.0.0.1, SQLite catalog (or a private PostgreSQL one,
# PHPC_CATALOG=pgsql), File storage, all state under $PHPC_STATE. The FD's Plugin Directory is $PHPC_STATE/plugins, into which
# 'up' copies shim-c/build/podheitor-hpc-fd.so (or $PHPC_PLUGIN_SO).
# Bacula 9.6 from the host (default), or Bacula 15 from a private Debian trixie
# root (PHPC_BACULA=15, PHPC_ROOTFS; bacula-rootfs.sh says how it runs).
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
# $PHPC_STATE must be root's own directory (or not exist yet, then 'up' makes
# it so): one that another user could have made or changed is refused, never
# read (ensure_state_dir in common.sh).
#
# The entry point (this file) owns the command line, the 'help' text, the
# settings below, the helpers every part uses (need, load_env, bcon, bcmd) and
# the dispatcher bh_main. The rest lives in files it sources from scripts/lib/:
#   bacula-config.sh   config generation: daemon configs, FileSet/Job definitions
#   bacula-daemons.sh  daemon lifecycle: up/down/up2/down2/clean/status/pids, PID checks
#   bacula-jobs.sh     job runs with measurement: backup/estimate/restore, sampler
#   bacula-catalog.sh  catalog and BSR helpers: sql, list-files, parity, joblog, bootstraps
#   bacula-rootfs.sh   the version switch: 9.6 from the host, 15 from a private root
#                      (through bacula-inroot.sh, an executable: one command in the root)
#   bacula-pgsql.sh    the private PostgreSQL catalog (PHPC_CATALOG=pgsql): server, catalog,
#                      the Director's pgsql backend without changing the system's Bacula
# shellcheck source-path=SCRIPTDIR
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

# shellcheck source=bacula-config.sh
. "$BH_LIB/bacula-config.sh"
# shellcheck source=bacula-daemons.sh
. "$BH_LIB/bacula-daemons.sh"
# shellcheck source=bacula-jobs.sh
. "$BH_LIB/bacula-jobs.sh"
# shellcheck source=bacula-catalog.sh
. "$BH_LIB/bacula-catalog.sh"
# shellcheck source=bacula-rootfs.sh
. "$BH_LIB/bacula-rootfs.sh"
# shellcheck source=bacula-pgsql.sh
. "$BH_LIB/bacula-pgsql.sh"

usage() {
  cat <<EOF
usage: bacula-harness.sh <command> [args]

  up                        write configs to \$PHPC_STATE ($STATE), init the catalog
                            (SQLite, or PostgreSQL: PHPC_CATALOG=pgsql starts its private
                            server first), copy the plugin .so into \$PHPC_STATE/plugins,
                            start bacula-dir/-sd/-fd on 127.0.0.1 (idempotent)
  down                      stop the daemons started by 'up' (by PID, TERM then KILL), then the
                            catalog's postgres (by PID, SIGINT = fast shutdown, then QUIT, KILL)
  up2 [--no-dac] [--plugin-dir DIR] [--env NAME=VALUE]... / down2
                            start/stop a second bacula-fd (Client $CLIENT2 on port
                            \$PHPC_FD2_PORT, default FD port + 5) for restoreclient=$CLIENT2
                            or jobs with Client=$CLIENT2;
                            --no-dac: without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv),
                            so root meets permissions like a squashed root on NFS/Lustre;
                            --plugin-dir DIR: its Plugin Directory is DIR as it is (e.g. one
                            scripts/install.sh installed into), not \$PHPC_STATE/plugins2 with
                            a copy of \$PHPC_PLUGIN_SO (the default);
                            --env NAME=VALUE: in its environment, as a site sets it for the
                            bacula-fd service (e.g. PHPC_LIBLUSTREAPI)
                            (a running one is restarted when the mode, directory or env differs)
  clean                     down + delete \$PHPC_STATE
  reset-catalog             down + delete the volumes and the catalog that names them (SQLite file or
                            PostgreSQL cluster); the next 'up' starts with an empty catalog
  status                    daemons, pids, ports, plugin loaded?, running jobs
  pids                      'dir=PID sd=PID fd=PID' (+ ' pg=PID' with PHPC_CATALOG=pgsql)
  backend-pids [fd2]        PIDs of bacula-fd's (or the second one's) descendants (the plugin
                            backend), one a line
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
  dir-include [--check] FILE... | --list | --clear
                            @-include FILEs (your Pools/FileSets/Jobs, e.g. gen-fileset output)
                            into bacula-dir.conf: 'bacula-dir -t' on the whole configuration
                            first (a rejected one changes nothing), then a reload; --check: the
                            test only. Storages to use: PhpcFile (the Autochanger when
                            PHPC_DEVICES > 1), PhpcFile1..N (one Device each); Client $CLIENT;
                            JobDefs PhpcJobDefs; Messages Standard
  run JOB [LEVEL]           run a Job defined by a dir-include file, measured like 'backup'
  run-jobs [--level LEVEL] JOB...
                            queue the Jobs together, wait for all; per job 'JobId= Job= JobStatus=
                            Start= End= Pool= Volumes=' from the catalog, then 'Jobs= OK=
                            First_start= Last_end= Span_s= Wall_s= Overlap=yes|no' (yes: all ran
                            at one moment); exit 1 unless all OK
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
  query 'SQL'               read-only SQL on the catalog (tab-separated; file names: the view
                            PhpcFile). PHPC_CATALOG=pgsql: PostgreSQL's dialect (unquoted names fold
                            to lower case; hex(Name) is provided)

environment for 'up' (unset = default; recorded in \$PHPC_STATE/etc/harness.env,
which every other command reads -- re-run 'up' to change; changed daemons restart):
  PHPC_STATE=$STATE
  PHPC_DIR_PORT=19101 PHPC_FD_PORT=19102 PHPC_SD_PORT=19103 PHPC_FD2_PORT=(FD port + 5)
  PHPC_PLUGIN_SO=$PHPC_ROOT/shim-c/build/$PLUGIN_SO_NAME
  PHPC_MAX_JOBS=10          Maximum Concurrent Jobs of Director, Clients, Storages, every Device, JobDefs
                            (the SD: twice that)
  PHPC_DEVICES=1            SD Devices PhpcFileDev, PhpcFileDev2..N; N > 1: in an Autochanger PhpcFileChgr
                            that Storage PhpcFile names, so concurrent jobs to different Pools (Volumes)
                            each get a Device; plus Storages PhpcFile1..N, one Device each
  PHPC_CATALOG=sqlite       sqlite, or pgsql: a private PostgreSQL (the host's, initdb in
                            \$PHPC_STATE/pgsql, run as PHPC_PG_USER=postgres, unix socket only:
                            \$PHPC_STATE/pgsql/run/.s.PGSQL.\$PHPC_PG_PORT, default DIR port + 4) and
                            Debian's pgsql catalog backend for the harness's bacula-dir only
                            (scripts/install-deps.sh / scripts/mkroot.sh unpack it; bacula-pgsql.sh);
                            \$PHPC_STATE's parents must be searchable by that user (e.g. under /tmp).
                            A state directory keeps the kind its catalog was made as
  PHPC_FD_DEBUG=0           bacula-fd -d level
  BACULA_DIR_BIN / BACULA_SD_BIN / BACULA_FD_BIN  (override the daemon binaries; 9.6 only)
  PHPC_BACULA=9.6           which Bacula: 9.6 (the host's) or 15 (from PHPC_ROOTFS); a state
                            directory keeps the version its catalog was made for
  PHPC_ROOTFS=/var/lib/podheitor-hpc/roots/trixie
                            PHPC_BACULA=15: the private Debian root (scripts/mkroot.sh trixie)
  PHPC_ROOTFS_BINDS=DIR:DIR more host directories the Bacula 15 daemons see at the same path
                            (state, checkout and JDK always)
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

# ------------------------------------------------------- shared by the parts ----
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found in PATH${2:+ ($2)}"; }

load_env() {
  [ -f "$ENVF" ] || die "harness not initialised in $STATE (run: bacula-harness.sh up)"
  ensure_state_dir --check "$STATE"   # root sources the file below: only from root's own directory
  # shellcheck disable=SC1090
  . "$ENVF"
  bh_version_setup
  bh_catalog_setup
}

bcon() { "${BH_BCONSOLE[@]}" -n -c "$ETC/bconsole.conf"; }   # commands on stdin
bcmd() { printf '%s\n' "$@" | bcon; }              # commands as arguments

# ------------------------------------------------------------------ commands ----
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
    reset-catalog) cmd_reset_catalog "$@";;
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
    run) cmd_run "$@";;
    run-jobs) cmd_run_jobs "$@";;
    dir-include) cmd_dir_include "$@";;
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
