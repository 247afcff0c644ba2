# shellcheck shell=bash
# podheitor-hpc gen-fileset (docs/sharding.md §8): its output in a real Director, and its README followed as written.
# a. 86: on the suite's harness (SQLite, one Device): the output for 2 shards of a tree whose root has ';', '\',
#    '"', '#' and a blank in its name passes 'bacula-dir -t' (dir-include --check), and one naming a Client the
#    Director lacks does not; @-included, both shards run OK (the Director read the escaped plugin string back
#    into the path: the union of their catalogs == find), and a restore of both verifies exact; the include is
#    removed again at the end.
# b. 87: with the PostgreSQL catalog and 4 Devices (t_catalog_pgsql.sh's second harness, pgl): the README of
#    'gen-fileset --shards 4' (per-shard pools) followed as written: its bconsole blocks are fed to bconsole as
#    they are. The 4 Fulls run at the same time on one FD and one SD (catalog: the latest StartTime before the
#    earliest EndTime), every job OK; the union of their catalogs == find, no non-directory in two shards; no
#    Volume holds two shards' jobs (JobMedia/Media), each shard's Volumes carry its Label Format; one restore
#    of the 4 JobIds into one directory verifies exact; then a change set (new, appended, chmod, renamed,
#    deleted, new hard link), the README's 4 Accurate Incrementals at the same time, and its per-shard restores
#    of the latest state into one directory == the live tree. The multi-storage and max-volume-jobs outputs pass
#    'bacula-dir -t' there too. The backend of each job is a wrapper that waits 3 s before it runs the real one
#    (plugin key backend=, through gen-fileset --key), so the overlap does not depend on how fast this machine
#    moves the small tree.

# the Nth (1-based) fenced code block after the first line of README that starts with HEADING
gf_block() { # readme heading n
  awk -v h="$2" -v n="$3" '
    index($0, h) == 1 { inside = 1; next }
    inside && /^```/ { if (open) { open = 0; if (++seen == n) exit; next } open = 1; next }
    inside && open && seen == n - 1 { print }' "$1"
}

# podheitor-hpc from the checkout
gf_cli() { "$ROOT/bin/podheitor-hpc" "$@"; }

test_86_gen_fileset_director_check() {
  local n=gen_fileset_director_check T out conf bad v j ids=()
  require_plugin "$n" || return 0
  T=$TREES/'gf ;odd\dir "q"#x'
  rm -rf -- "$T"
  python3 "$ROOT/scripts/mktree.py" -n 300 --big 0 --hardlinks 4 --symlinks 4 --odd-bytes "$T" >&2 \
    || { fail "$n" "mktree failed"; return 0; }
  out=$SCRATCH/$n.out
  rm -rf -- "$out" "$out.bad"
  if ! gf_cli gen-fileset --path "$T" --shards 2 --name gf86 --client phpc-fd --storage PhpcFile \
      --output "$out" > "$SCRATCH/$n.gen" 2>&1; then
    cat "$SCRATCH/$n.gen" >&2; fail "$n" "gen-fileset failed: $(tail -n 1 "$SCRATCH/$n.gen")"; return 0
  fi
  conf=$out/podheitor-shards.conf
  if [ ! -f "$conf" ] || [ ! -f "$out/README.md" ]; then fail "$n" "gen-fileset wrote no $conf or README.md"; return 0; fi
  # a Client the Director does not have: rejected by bacula-dir -t
  gf_cli gen-fileset --path "$T" --shards 2 --name gf86b --client no-such-fd --storage PhpcFile --output "$out.bad" \
    > /dev/null 2>&1 || { fail "$n" "gen-fileset with --client no-such-fd failed"; return 0; }
  if H dir-include --check "$out.bad/podheitor-shards.conf" > "$SCRATCH/$n.bad" 2>&1; then
    fail "$n" "'bacula-dir -t' accepted Jobs naming a Client the Director does not have"; return 0
  fi
  H dir-include --check "$conf" > "$SCRATCH/$n.check" 2>&1 \
    || { cat "$SCRATCH/$n.check" >&2; fail "$n" "'bacula-dir -t' rejects the output: $(grep -m1 -i error "$SCRATCH/$n.check")"; return 0; }
  trap 'H dir-include --clear >/dev/null 2>&1 || true' EXIT
  H dir-include "$conf" > "$SCRATCH/$n.inc" 2>&1 \
    || { cat "$SCRATCH/$n.inc" >&2; fail "$n" "dir-include of the output failed"; return 0; }
  for j in gf86-0 gf86-1; do
    if ! hrun "$SCRATCH/$n.$j" run "$j" Full; then fail_job "$n" "job $j" "$SCRATCH/$n.$j"; return 0; fi
    ids+=("$(field JobId "$SCRATCH/$n.$j")")
  done
  local cats=$SCRATCH/$n.catalogs msg
  shard_catalogs "${ids[@]}" > "$cats"
  if ! msg=$(shard_union_check "$T" "$cats"); then fail "$n" "jobs ${ids[*]}: $msg"; return 0; fi
  local all
  all=$(scratch "$n.all")
  for j in "${ids[@]}"; do
    if ! hrun "$SCRATCH/$n.restore$j" restore "$j" "$all"; then fail_job "$n" "restore of $j" "$SCRATCH/$n.restore$j"; return 0; fi
  done
  if ! v=$(H verify "$T" "$all" 2>&1); then
    echo "$v" >&2; fail "$n" "the 2 shards restored differ from the tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  H dir-include --clear > /dev/null 2>&1 || { fail "$n" "dir-include --clear failed"; return 0; }
  trap - EXIT
  rm -rf -- "$T" "$all"
  pass "$n (bacula-dir -t accepts the output and rejects an unknown Client; jobs ${ids[*]} over an odd root: $msg; restore verify OK)"
}

# the catalog of the pgsql harness, as shard_catalogs
gf_catalogs() { # jobid...
  local j
  for j in "$@"; do pgl query "SELECT $j, hex(Name) FROM PhpcFile WHERE JobId = $j AND FileIndex > 0"; done
}

# the JobIds after JOBID of the Jobs named NAME-0..NAME-(N-1), of type TYPE, one a line, shard order
gf_new_jobs() { # after name n
  local k
  for ((k = 0; k < $3; k++)); do
    pgl query "SELECT JobId FROM Job WHERE JobId > $1 AND Name = '$2-$k' AND Type = 'B' ORDER BY JobId DESC LIMIT 1"
  done
}

# checks that the jobs ended OK at level L and all ran at one moment; prints "span" or a reason, returns 1 on failure
gf_jobs_check() { # level jobid...
  local level=$1 ids row bad=""; shift
  ids=$(IFS=,; echo "$*")
  [ "$#" -gt 0 ] || { echo "no jobs"; return 1; }
  bad=$(pgl query "SELECT JobId || ':' || Name || ':' || Level || ':' || JobStatus FROM Job
                   WHERE JobId IN ($ids) AND (JobStatus <> 'T' OR Level <> '$level')")
  [ -z "$bad" ] || { echo "not OK at level $level: $bad"; return 1; }
  row=$(pgl query "SELECT max(extract(epoch FROM StartTime))::bigint, min(extract(epoch FROM EndTime))::bigint,
                          min(extract(epoch FROM StartTime))::bigint, max(extract(epoch FROM EndTime))::bigint
                     FROM Job WHERE JobId IN ($ids)")
  local maxs mine mins maxe
  IFS=$'\t' read -r maxs mine mins maxe <<< "$row"
  [[ "$maxs" =~ ^[0-9]+$ && "$mine" =~ ^[0-9]+$ ]] || { echo "no start/end times: $row"; return 1; }
  [ "$maxs" -lt "$mine" ] || { echo "not all at one moment: the last start ($maxs) is not before the first end ($mine)"; return 1; }
  echo "$((maxe - mins)) s first start to last end, all running from $((maxs - mins)) s to $((mine - mins)) s"
}

# no Volume holds jobs of two shards; every shard's Volumes are named by its Label Format
gf_volumes_check() { # name
  local two wrong
  two=$(pgl query "SELECT m.VolumeName FROM JobMedia jm JOIN Media m ON m.MediaId = jm.MediaId
                     JOIN Job j ON j.JobId = jm.JobId WHERE j.Name LIKE '$1-%'
                    GROUP BY m.VolumeName HAVING count(DISTINCT j.Name) > 1")
  [ -z "$two" ] || { echo "Volumes with two shards' jobs: $two"; return 1; }
  wrong=$(pgl query "SELECT DISTINCT m.VolumeName || ' (' || j.Name || ')' FROM JobMedia jm
                       JOIN Media m ON m.MediaId = jm.MediaId JOIN Job j ON j.JobId = jm.JobId
                      WHERE j.Name LIKE '$1-%' AND m.VolumeName NOT LIKE j.Name || '-%'")
  [ -z "$wrong" ] || { echo "Volumes not of their shard's Pool: $wrong"; return 1; }
  echo "$(pgl query "SELECT count(DISTINCT jm.MediaId) FROM JobMedia jm JOIN Job j ON j.JobId = jm.JobId
                      WHERE j.Name LIKE '$1-%'") Volumes, each of one shard"
}

# feeds a README block to the pgsql harness's bconsole as it is, with a time limit (H shadowed in a subshell:
# pgl's settings, the harness script under timeout)
gf_console() { # block-file
  (
    # shellcheck disable=SC2317  # called by pgl
    H() { timeout $((JOB_TIMEOUT * 2)) "$ROOT/scripts/lib/bacula-harness.sh" "$@"; }
    pgl console < "$1"
  )
}

test_87_gen_fileset_concurrent_pgsql() {
  local n=gen_fileset_concurrent_pgsql T W out conf readme k v msg where before
  pgl_premise "$n" || return 0
  require_plugin "$n" || return 0
  trap pgl_clean EXIT
  pgl_up "$n" || return 0
  T=$(pgl_tree gf -n 2000 --big 1 --big-max-mib 2 --hardlinks 12 --symlinks 6 --odd-bytes) \
    || { fail "$n" "mktree failed"; return 0; }
  W=$(trusted_dir "$n")/backend
  : > "$PGL_STATE/gf87-barrier"
  pgl_barrier_backend "$W" "$PGL_STATE/gf87-barrier" ":"     # the 4 shards' jobs run at one moment
  out=$PGL_STATE/gf87
  where=$PGL_STATE/restores/gf87
  if ! gf_cli gen-fileset --path "$T" --shards 4 --name gf87 --client phpc-fd --storage PhpcFile \
      --key "backend=$W" --restore-where "$where" --output "$out" > "$SCRATCH/$n.gen" 2>&1; then
    cat "$SCRATCH/$n.gen" >&2; fail "$n" "gen-fileset failed: $(tail -n 1 "$SCRATCH/$n.gen")"; return 0
  fi
  conf=$out/podheitor-shards.conf readme=$out/README.md
  # the other topologies pass bacula-dir -t on this Director too (Storages PhpcFile1..4 exist here)
  local topo
  for topo in "multi-storage --storage PhpcFile1,PhpcFile2,PhpcFile3,PhpcFile4" "max-volume-jobs --storage PhpcFile"; do
    # shellcheck disable=SC2086
    gf_cli gen-fileset --path "$T" --shards 4 --name "gf87${topo%% *}" --client phpc-fd --topology $topo \
      --output "$out-${topo%% *}" > /dev/null 2>&1 || { fail "$n" "gen-fileset --topology $topo failed"; return 0; }
    pgl dir-include --check "$out-${topo%% *}/podheitor-shards.conf" > "$SCRATCH/$n.check" 2>&1 \
      || { cat "$SCRATCH/$n.check" >&2; fail "$n" "'bacula-dir -t' rejects the $topo output"; return 0; }
  done
  # README §1: the @-line (the harness's dir-include adds it, after bacula-dir -t, and reloads)
  grep -qxF "@$conf" "$readme" || { fail "$n" "README does not give the line @$conf"; return 0; }
  pgl dir-include "$conf" > "$SCRATCH/$n.inc" 2>&1 \
    || { cat "$SCRATCH/$n.inc" >&2; fail "$n" "dir-include of the output failed"; return 0; }
  # README §2: what it asks for is what this harness has (Maximum Concurrent Jobs 10 everywhere, 4 Devices)
  # shellcheck disable=SC2016  # backquotes of the Markdown
  if ! grep -qF '| Director (bacula-dir.conf) | `Director` | 4 |' "$readme" || ! grep -qF '**4 Devices**' "$readme"; then
    fail "$n" "README does not ask for Director Maximum Concurrent Jobs 4 and 4 Devices"; return 0
  fi
  [ "$(grep -c '^Device {' "$PGL_STATE/etc/bacula-sd.conf")" = 4 ] || { fail "$n" "premise: the SD has not 4 Devices"; return 0; }

  # README §3, first block: the 4 Fulls queued together, then 'wait'
  gf_block "$readme" "## 3." 1 > "$SCRATCH/$n.run-full"
  [ "$(grep -c '^run job=gf87-[0-3] level=Full yes$' "$SCRATCH/$n.run-full")" = 4 ] \
    || { cat "$SCRATCH/$n.run-full" >&2; fail "$n" "README §3 has no 4 'run job=... level=Full yes' lines"; return 0; }
  before=$(pgl query "SELECT coalesce(max(JobId), 0) FROM Job")
  gf_console "$SCRATCH/$n.run-full" > "$SCRATCH/$n.run-full.out" 2>&1 || true
  local -a full=()
  mapfile -t full < <(gf_new_jobs "$before" gf87 4)
  [ ${#full[@]} = 4 ] || { cat "$SCRATCH/$n.run-full.out" >&2; fail "$n" "the README's run block made ${#full[@]} jobs, not 4"; return 0; }
  if ! msg=$(gf_jobs_check F "${full[@]}"); then fail "$n" "Fulls ${full[*]}: $msg"; return 0; fi
  note "Fulls ${full[*]}: $msg"
  local span_full=$msg
  local cats=$SCRATCH/$n.catalogs
  gf_catalogs "${full[@]}" > "$cats"
  if ! msg=$(shard_union_check "$T" "$cats"); then fail "$n" "Fulls ${full[*]}: $msg"; return 0; fi
  note "catalogs: $msg"
  if ! msg=$(gf_volumes_check gf87); then fail "$n" "$msg"; return 0; fi

  # README §4, first block: one restore of the 4 JobIds
  gf_block "$readme" "## 4." 1 > "$SCRATCH/$n.restore-all.tpl"
  cp "$SCRATCH/$n.restore-all.tpl" "$SCRATCH/$n.restore-all"
  for k in 0 1 2 3; do sed -i "s/<JobId of gf87-$k>/${full[k]}/" "$SCRATCH/$n.restore-all"; done
  grep -q "^restore client=phpc-fd jobid=${full[0]},${full[1]},${full[2]},${full[3]} where=$where all done yes$" \
    "$SCRATCH/$n.restore-all" || { cat "$SCRATCH/$n.restore-all" >&2; fail "$n" "README §4 has no restore line of the 4 JobIds"; return 0; }
  rm -rf -- "$where"
  before=$(pgl query "SELECT coalesce(max(JobId), 0) FROM Job")
  gf_console "$SCRATCH/$n.restore-all" > "$SCRATCH/$n.restore-all.out" 2>&1 || true
  v=$(pgl query "SELECT JobStatus FROM Job WHERE JobId > $before AND Type = 'R'" | paste -sd' ' -)
  [ "$v" = T ] || { cat "$SCRATCH/$n.restore-all.out" >&2; fail "$n" "the restore of the 4 Fulls: JobStatus '$v'"; return 0; }
  if ! v=$(H verify "$T" "$where" 2>&1); then
    echo "$v" >&2; fail "$n" "the 4 Fulls restored into one directory differ from the tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi

  # a change set, then README §3's second block: the 4 Accurate Incrementals together
  sleep 1.2
  local -a f
  mapfile -t f < <(find "$T" -type f -links 1 -name 'f0*.dat' | LC_ALL=C sort)
  [ ${#f[@]} -ge 10 ] || { fail "$n" "tree $T has too few files"; return 0; }
  echo "created after the Fulls" > "$T/d00/new-file.txt"
  echo "appended after the Fulls" >> "${f[0]}"
  chmod 0751 "${f[1]}"
  mv -- "${f[2]}" "${f[2]}.renamed"
  rm -f -- "${f[3]}"
  ln -- "${f[4]}" "$T/d01/new-link"
  sleep 1.2
  gf_block "$readme" "## 3." 2 > "$SCRATCH/$n.run-incr"
  [ "$(grep -c '^run job=gf87-[0-3] level=Incremental yes$' "$SCRATCH/$n.run-incr")" = 4 ] \
    || { cat "$SCRATCH/$n.run-incr" >&2; fail "$n" "README §3 has no 4 'run job=... level=Incremental yes' lines"; return 0; }
  before=$(pgl query "SELECT coalesce(max(JobId), 0) FROM Job")
  gf_console "$SCRATCH/$n.run-incr" > "$SCRATCH/$n.run-incr.out" 2>&1 || true
  local -a incr=()
  mapfile -t incr < <(gf_new_jobs "$before" gf87 4)
  [ ${#incr[@]} = 4 ] || { fail "$n" "the README's Incremental block made ${#incr[@]} jobs, not 4"; return 0; }
  if ! msg=$(gf_jobs_check I "${incr[@]}"); then fail "$n" "Incrementals ${incr[*]}: $msg"; return 0; fi
  note "Incrementals ${incr[*]}: $msg"
  if ! msg=$(gf_volumes_check gf87); then fail "$n" "after the Incrementals: $msg"; return 0; fi
  local vols=$msg

  # README §4, second block: the latest state of every shard into one directory
  gf_block "$readme" "## 4." 2 > "$SCRATCH/$n.restore-latest"
  [ "$(grep -c "^restore client=phpc-fd fileset=gf87-[0-3]-fs where=$where current select all done yes$" \
      "$SCRATCH/$n.restore-latest")" = 4 ] && [ "$(grep -c '^wait$' "$SCRATCH/$n.restore-latest")" = 4 ] \
    || { cat "$SCRATCH/$n.restore-latest" >&2; fail "$n" "README §4 has no 4 restore lines of the latest state, each followed by wait"; return 0; }
  rm -rf -- "$where"
  before=$(pgl query "SELECT coalesce(max(JobId), 0) FROM Job")
  gf_console "$SCRATCH/$n.restore-latest" > "$SCRATCH/$n.restore-latest.out" 2>&1 || true
  v=$(pgl query "SELECT JobStatus FROM Job WHERE JobId > $before AND Type = 'R' ORDER BY JobId" | paste -sd' ' -)
  if [ "$v" != "T T T T" ]; then
    local j
    for j in $(pgl query "SELECT JobId FROM Job WHERE JobId > $before AND Type = 'R' AND JobStatus <> 'T' ORDER BY JobId"); do
      echo "---- restore job $j:" >&2; pgl joblog "$j" >&2
    done
    fail "$n" "the 4 restores of the latest state: JobStatus '$v'"; return 0
  fi
  if ! v=$(H verify "$T" "$where" 2>&1); then
    echo "$v" >&2; fail "$n" "restore of the latest state of the 4 shards differs from the live tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  pgl_clean
  trap - EXIT
  pass "$n (Fulls ${full[*]}: $span_full; union == find; restore of the 4 JobIds exact; Incrementals ${incr[*]} at one moment; latest == live tree; $vols)"
}
