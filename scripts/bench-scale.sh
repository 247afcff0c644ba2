#!/usr/bin/env bash
# Scale-out figures through real Bacula (docs/scale-out.md): what one FD, one catalog and one disk cost per entry.
#
#   scripts/bench-scale.sh [--sizes N1,N2,...] [--kinds plugin,stock] [--runs R] [--trees DIR] [--dd-mib M]
#
# For every size N (default 100000,400000) a tree of N tiny files (0-1 byte; scripts/mktree.py --big 0
# --max-small 1, made once under --trees, default /tmp/scaleout-trees) and, per kind (plugin: FileSet
# Plugin = "podheitor-hpc:path=TREE"; stock: File = TREE) and run (default 1):
#   1. an empty PostgreSQL catalog (the harness's private one), fresh daemons, a Full with Accurate = yes;
#      after it: the job's File rows, pg_total_relation_size of file, filename and path (table + indexes +
#      TOAST) and the attribute insert window: from the SD's "Despooling" log line (Log.Time) to the job's
#      EndTime, 1 s resolution -> rows/s;
#   2. the daemons stopped and started again (the catalog kept), so bacula-fd starts empty; its VmRSS before
#      the job, then an Accurate Incremental of the unchanged tree: bacula-fd's VmHWM during the job (the
#      harness resets it at the job's start) minus that VmRSS = the Accurate list's memory ->
#      bytes per catalog entry (= the Full's JobFiles). The Director's VmHWM during the job too.
#   3. plugin only: a second Full, whose rows go into a catalog that holds the first one's: its insert rate.
# --dd-mib M (default 2048; 0 = off): the disk's sequential direct write rate under the state directory
#   (dd bs=1M oflag=direct conv=fsync), the ceiling of a disk-backed SD's File Volume on this host.
# Prints one line per job and a markdown table of medians per size and kind.
# Environment: PHPC_STATE (default /tmp/podheitor-hpc-bench-scale), PHPC_{DIR,FD,SD}_PORT (19481-19483; the
# PostgreSQL port is DIR port + 4), PHPC_SKIP_BUILD=1, OUT (raw outputs); PHPC_BACULA=15 (Bacula 15.0.3 from
# the private root; --trees is bound into it, and PHPC_STATE must be another than a 9.6 run's).
# Every daemon is stopped (by PID, through the harness) and the catalog and Volumes removed on exit.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PHPC_PROG=bench-scale
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"
export PHPC_STATE=${PHPC_STATE:-/tmp/podheitor-hpc-bench-scale}
export PHPC_DIR_PORT=${PHPC_DIR_PORT:-19481} PHPC_FD_PORT=${PHPC_FD_PORT:-19482} PHPC_SD_PORT=${PHPC_SD_PORT:-19483}
export PHPC_CATALOG=pgsql
H=$ROOT/scripts/lib/bacula-harness.sh

sizes=100000,400000 kinds=plugin,stock runs=1 trees=/tmp/scaleout-trees ddmib=2048
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2;;
    --kinds) kinds=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --trees) trees=$2; shift 2;;
    --dd-mib) ddmib=$2; shift 2;;
    -h|--help) sed -n '2,24p' "$0"; exit 0;;
    *) echo "bench-scale: unknown argument $1" >&2; exit 2;;
  esac
done
[[ "$sizes" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bench-scale: --sizes N1,N2,... (positive integers)" >&2; exit 2; }
[[ "$kinds" =~ ^(plugin|stock)(,(plugin|stock))?$ ]] || { echo "bench-scale: --kinds plugin,stock" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-scale: --runs must be a positive integer" >&2; exit 2; }
[[ "$ddmib" =~ ^[0-9]+$ ]] || { echo "bench-scale: --dd-mib must be a number" >&2; exit 2; }
case $trees in /*) ;; *) echo "bench-scale: --trees must be an absolute path" >&2; exit 2;; esac
# Bacula 15 runs chrooted in its private root: the trees must be bound in at the same path
if [ "${PHPC_BACULA:-9.6}" = 15 ]; then export PHPC_ROOTFS_BINDS=${PHPC_ROOTFS_BINDS:+$PHPC_ROOTFS_BINDS:}$trees; fi
ensure_state_dir "$PHPC_STATE"
if [ "${PHPC_SKIP_BUILD:-0}" != 1 ]; then "$ROOT/scripts/build.sh" >&2; fi
OUT=${OUT:-$PHPC_STATE/bench-scale-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" "$trees"
ddfile=$PHPC_STATE/dd-test.$$
cleanup() {
  rm -f -- "$ddfile"
  "$H" reset-catalog >/dev/null 2>&1 || true   # stops the daemons and the catalog's postgres by PID
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IFS=, read -r -a size_list <<< "$sizes"
IFS=, read -r -a kind_list <<< "$kinds"
for n in "${size_list[@]}"; do
  t=$trees/e$n
  if [ ! -f "$t.json" ] || [ ! -d "$t" ]; then
    rm -rf -- "$t"
    info "making $t ($n files of 0-1 byte)..."
    python3 "$ROOT/scripts/mktree.py" -n "$n" --big 0 --max-small 1 --symlinks 0 --hardlinks 0 "$t" > "$t.json.tmp"
    mv -- "$t.json.tmp" "$t.json"
  fi
done

declare -A pathlen   # mean path length (bytes) of a tree's entries: the Accurate list and catalog hold the paths
for n in "${size_list[@]}"; do
  pathlen[$n]=$(find "$trees/e$n" -print0 | LC_ALL=C awk 'BEGIN{RS="\0"} {s += length($0)} END{printf "%.1f", (NR ? s / NR : 0)}')
done

field() { # key text -> value of 'key=VALUE' (first)
  grep -o "$1=[^ ]*" <<< "$2" | head -1 | cut -d= -f2
}
fd_pid() { "$H" pids | grep -o '\bfd=[0-9]*' | cut -d= -f2; }
dir_pid() { "$H" pids | grep -o '\bdir=[0-9]*' | cut -d= -f2; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
q() { "$H" query "$1"; }
pg_admin() { # SQL as the catalog server's superuser (the harness's own psql helper)
  ( # shellcheck source=lib/bacula-harness.sh
    . "$H"; load_env; pg_psql -d postgres -A -t -c "$1" )
}
pglog=$PHPC_STATE/log/postgres.out
# the catalog's attribute insert of one job, from the server log after byte OFFSET: Bacula's batch insert is a
# COPY into a temporary table while the SD despools, then INSERT INTO Path/Filename/File ... SELECT from it.
# Prints "seconds statements": from the start of the first such statement to the end of the last one (the log
# line's time stamp is its end; minus its duration is its start).
insert_window() { # log offset
  tail -c +"$(($2 + 1))" "$1" | LC_ALL=C awk '
    /duration: [0-9.]+ ms +(statement|execute [^:]*): / {
      if ($0 !~ /[Bb]atch/ && $0 !~ /INSERT INTO (File|Path|Filename) /) next
      split($2, hms, ":"); t = hms[1] * 3600 + hms[2] * 60 + hms[3]
      for (i = 1; i <= NF; i++) if ($i == "duration:") { d = $(i + 1) / 1000; break }
      if (n == 0 || t - d < a) a = t - d
      if (n == 0 || t > b) b = t
      n++
    }
    END { if (n) printf "%.2f %d\n", b - a, n; else print "0 0" }'
}

lines=$OUT/lines.txt
: > "$lines"
info "sizes $sizes, kinds $kinds, $runs run(s), PostgreSQL catalog; raw: $OUT"
for ((r = 1; r <= runs; r++)); do
  for n in "${size_list[@]}"; do
    t=$trees/e$n
    for k in "${kind_list[@]}"; do
      label="run=$r size=$n kind=$k"
      if [ "$k" = plugin ]; then args=(backup-plugin "podheitor-hpc:path=$t"); else args=(backup "$t"); fi
      "$H" reset-catalog >/dev/null 2>&1 || true
      "$H" up >/dev/null 2>>"$OUT/harness.err"
      # every statement's duration into the catalog server's log (ms resolution): the insert window below
      pg_admin "ALTER SYSTEM SET log_min_duration_statement = 0" >/dev/null
      pg_admin "SELECT pg_reload_conf()" >/dev/null
      pgoff=$(stat -c %s "$pglog")
      full=$("$H" "${args[@]}" Full Accurate=yes 2>>"$OUT/harness.err") \
        || { echo "$full" > "$OUT/$r-$n-$k-full.txt"; die "$label: the Full did not end OK ($OUT/$r-$n-$k-full.txt)"; }
      echo "$full" > "$OUT/$r-$n-$k-full.txt"
      id=$(field JobId "$full") files=$(field JobFiles "$full") el=$(field Elapsed_s "$full")
      fullfd=$(grep -o 'Peak_RSS_kB fd=[0-9]*' <<< "$full" | cut -d= -f2)
      rows=$(q "SELECT count(*) FROM file WHERE jobid=$id")
      sizes_b=$(q "SELECT pg_total_relation_size('file'), COALESCE(pg_total_relation_size(to_regclass('filename')), 0), pg_total_relation_size('path'), pg_relation_size('file'), (SELECT count(*) FROM path)")
      read -r file_b filename_b path_b fileheap_b paths <<< "$sizes_b"
      read -r ins_s ins_stmts < <(insert_window "$pglog" "$pgoff")

      # fresh daemons, the catalog kept: bacula-fd holds nothing before the Accurate Incremental
      "$H" down >/dev/null 2>>"$OUT/harness.err"
      "$H" up >/dev/null 2>>"$OUT/harness.err"
      fdp=$(fd_pid) dirp=$(dir_pid)
      base=$(status_kb "$fdp" VmRSS) dirbase=$(status_kb "$dirp" VmRSS)
      inc=$("$H" "${args[@]}" Incremental Accurate=yes 2>>"$OUT/harness.err") \
        || { echo "$inc" > "$OUT/$r-$n-$k-inc.txt"; die "$label: the Incremental did not end OK"; }
      echo "$inc" > "$OUT/$r-$n-$k-inc.txt"
      [ "$(fd_pid)" = "$fdp" ] || die "$label: bacula-fd changed PID during the Incremental"
      incfd=$(grep -o 'Peak_RSS_kB fd=[0-9]*' <<< "$inc" | cut -d= -f2)
      incdir=$(grep -o ' dir=[0-9]*   (VmHWM' <<< "$inc" | grep -o '[0-9]*')
      incfiles=$(field JobFiles "$inc") incel=$(field Elapsed_s "$inc")
      # plugin only (the catalog's work does not depend on the kind): a second Full into the catalog that
      # holds the first one's rows (and all its paths already): the insert rate of a recurring Full
      ins2_s=0 rows2=0
      if [ "$k" = plugin ]; then
        pgoff=$(stat -c %s "$pglog")
        full2=$("$H" "${args[@]}" Full Accurate=yes 2>>"$OUT/harness.err") \
          || { echo "$full2" > "$OUT/$r-$n-$k-full2.txt"; die "$label: the second Full did not end OK"; }
        echo "$full2" > "$OUT/$r-$n-$k-full2.txt"
        rows2=$(q "SELECT count(*) FROM file WHERE jobid=$(field JobId "$full2")")
        read -r ins2_s _ < <(insert_window "$pglog" "$pgoff")
      fi
      awk -v l="$label" -v id="$id" -v f="$files" -v el="$el" -v rows="$rows" -v fb="$file_b" -v fnb="$filename_b" \
          -v pb="$path_b" -v fh="$fileheap_b"  -v ins="$ins_s" -v nst="$ins_stmts" -v ffd="$fullfd" -v base="$base" -v ifd="$incfd" \
          -v plen="${pathlen[$n]}" -v idir="$incdir" -v dbase="$dirbase" -v paths="$paths" -v inf="$incfiles" -v iel="$incel" \
          -v ins2="$ins2_s" -v rows2="$rows2" 'BEGIN{
        per = (f > 0 ? (ifd - base) * 1024 / f : 0)
        printf "%s path_chars=%s full_jobid=%d full_files=%d full_elapsed_s=%d file_rows=%d file_bytes=%.0f filename_bytes=%.0f path_bytes=%.0f file_heap_bytes=%.0f path_rows=%d insert_statements=%d file_bytes_per_row=%.1f catalog_bytes_per_row=%.1f insert_s=%.2f insert_rows_per_s=%.0f full_fd_hwm_kB=%d fd_base_kB=%d inc_fd_hwm_kB=%d accurate_bytes_per_entry=%.1f dir_base_kB=%d inc_dir_hwm_kB=%d inc_files=%d inc_elapsed_s=%d full2_rows=%d full2_insert_s=%.2f full2_insert_rows_per_s=%.0f\n",
          l, plen, id, f, el, rows, fb, fnb, pb, fh, paths, nst, (rows > 0 ? fb / rows : 0), (rows > 0 ? (fb + fnb + pb) / rows : 0), ins, (ins > 0 ? rows / ins : 0),
          ffd, base, ifd, per, dbase, idir, inf, iel, rows2, ins2, (ins2 > 0 ? rows2 / ins2 : 0) }' | tee -a "$lines"
    done
  done
done
"$H" reset-catalog >/dev/null 2>&1 || true

dd_line=''
if [ "$ddmib" -gt 0 ]; then
  sync
  dd_line=$(LC_ALL=C dd if=/dev/zero of="$ddfile" bs=1M count="$ddmib" oflag=direct conv=fsync 2>&1 | tail -1)
  rm -f -- "$ddfile"
  echo "dd ${ddmib} MiB direct to $(df --output=source "$PHPC_STATE" | tail -1): $dd_line" | tee -a "$lines"
fi

col() { grep "^run=[0-9]* size=$1 kind=$2 " "$lines" | grep -o " $3=[0-9.]*" | cut -d= -f2; }
spread() { col "$1" "$2" "$3" | paste -sd/ -; }
{
  echo
  echo "sizes $sizes; kinds $kinds; $runs run(s); Bacula ${PHPC_BACULA:-9.6}, PostgreSQL catalog; $(nproc) CPUs"
  echo
  echo "| N | kind | mean path bytes | Full files | Full s | File rows | Path rows | file bytes/row | file+filename+path bytes/row | insert s | insert rows/s | 2nd Full insert rows/s | FD base kB | Incr FD VmHWM kB (runs) | **Accurate bytes/entry** (runs) | Dir base kB | Incr Dir VmHWM kB | Incr s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for n in "${size_list[@]}"; do
    for k in "${kind_list[@]}"; do
      echo "| $n | $k | ${pathlen[$n]} | $(col "$n" "$k" full_files | median) | $(col "$n" "$k" full_elapsed_s | median) | $(col "$n" "$k" file_rows | median) | $(col "$n" "$k" path_rows | median) | $(col "$n" "$k" file_bytes_per_row | median) | $(col "$n" "$k" catalog_bytes_per_row | median) | $(col "$n" "$k" insert_s | median) | $(col "$n" "$k" insert_rows_per_s | median) | $(if [ "$k" = plugin ]; then col "$n" "$k" full2_insert_rows_per_s | median; else echo -; fi) | $(col "$n" "$k" fd_base_kB | median) | $(col "$n" "$k" inc_fd_hwm_kB | median) ($(spread "$n" "$k" inc_fd_hwm_kB)) | **$(col "$n" "$k" accurate_bytes_per_entry | median)** ($(spread "$n" "$k" accurate_bytes_per_entry)) | $(col "$n" "$k" dir_base_kB | median) | $(col "$n" "$k" inc_dir_hwm_kB | median) | $(col "$n" "$k" inc_elapsed_s | median) |"
    done
  done
  [ -z "$dd_line" ] || { echo; echo "disk: $dd_line"; }
} | tee "$OUT/summary.md"
