# shellcheck shell=bash
# scripts/install.sh into a temporary PREFIX and PLUGIN_DIR (never the real system).

test_40_install_prefix() {
  local n=install_prefix tmp
  tmp=$(scratch $n)
  local prefix=$tmp/prefix plug=$tmp/plugins so=$ROOT/shim-c/build/podheitor-hpc-fd.so
  [ -f "$ROOT/hpc-backend/target/hpc-backend.jar" ] || { fail $n "not built (hpc-backend/target/hpc-backend.jar missing)"; return 0; }
  if ! "$ROOT/scripts/install.sh" "$prefix" "$plug" > "$tmp.out" 2>&1; then
    cat "$tmp.out" >&2; fail $n "scripts/install.sh failed: $(tail -n 1 "$tmp.out")"; return 0
  fi
  local f
  for f in "$prefix/bin/podheitor-hpc" "$prefix/bin/podheitor-hpc-backend"; do
    [ -x "$f" ] || { fail $n "$f missing or not executable"; return 0; }
  done
  [ -f "$prefix/lib/hpc-backend.jar" ] && [ -f "$prefix/lib/hpc-cli.jar" ] || { fail $n "jars missing in $prefix/lib"; return 0; }
  [ -s "$prefix/java.home" ] || { fail $n "$prefix/java.home missing"; return 0; }
  [ "$(stat -c '%F %a' "$prefix/var/log" 2>/dev/null)" = "directory 700" ] \
    || { fail $n "$prefix/var/log (the backend's JVM error log directory) is not a 0700 directory"; return 0; }
  [ -f "$plug/podheitor-hpc-fd.so" ] && [ ! -L "$plug/podheitor-hpc-fd.so" ] || { fail $n "$plug/podheitor-hpc-fd.so missing or a symlink"; return 0; }
  grep -qaF "$prefix/bin/podheitor-hpc-backend" "$plug/podheitor-hpc-fd.so" \
    || { fail $n "the installed .so does not default to $prefix/bin/podheitor-hpc-backend"; return 0; }
  grep -qaF "$ROOT/bin/podheitor-hpc-backend" "$so" \
    || { fail $n "after install, the checkout's $so no longer defaults to the checkout launcher"; return 0; }
  # the installed CLI starts from the prefix (no checkout paths needed)
  if ! "$prefix/bin/podheitor-hpc" --help > "$tmp.cli" 2>&1; then
    note "$(head -n 3 "$tmp.cli")"
    fail $n "$prefix/bin/podheitor-hpc --help failed"; return 0
  fi
  local nj
  nj=$(find "$prefix/lib" -name '*.jar' | wc -l)
  rm -rf -- "$tmp"
  pass "$n (launchers, $nj jars, java.home and the .so with DEFAULT_BACKEND=PREFIX installed; checkout .so intact)"
}

# Sample the process tree of bacula-fd PID until STOP exists (every 20 ms): for each descendant (the plugin
# backend: the launcher, then the JVM it execs) its command line, the files it has open and the files it
# has mapped, one "pid<TAB>cmd|fd|map<TAB>text" line each the first time it is seen, into OUT. READY is
# created once the first sample is taken. Paths are as the FD sees them: under Bacula 15 the FD and its
# backend run chrooted into PHPC_ROOTFS, whose prefix the host's /proc shows and is taken off here.
ir_sampler() { # pid stop ready out
  python3 - "$@" "$(it_rootfs_prefix)" <<'PY'
import os, sys, time
fd, stop, ready, out, rootfs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
seen = set()
def seen_by_fd(path):
    return path[len(rootfs):] if rootfs and path.startswith(rootfs + "/") else path
def children(p):
    kids = []
    try:
        for t in os.listdir("/proc/%d/task" % p):
            with open("/proc/%d/task/%s/children" % (p, t)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids
with open(out, "a") as o:
    first = True
    while not os.path.exists(stop):
        queue, desc = [fd], []
        while queue:
            k = children(queue.pop())
            desc += k; queue += k
        for p in desc:
            rows = []
            try:
                with open("/proc/%d/cmdline" % p, "rb") as f:
                    rows.append(("cmd", f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()))
                for n in os.listdir("/proc/%d/fd" % p):
                    try:
                        rows.append(("fd", seen_by_fd(os.readlink("/proc/%d/fd/%s" % (p, n)))))
                    except OSError:
                        pass
                with open("/proc/%d/maps" % p) as f:
                    for l in f:
                        x = l.split(None, 5)
                        if len(x) == 6 and x[5].startswith("/"):
                            rows.append(("map", seen_by_fd(x[5].strip())))
            except OSError:
                continue          # gone meanwhile
            for kind, text in rows:
                if text and (p, kind, text) not in seen:
                    seen.add((p, kind, text))
                    o.write("%d\t%s\t%s\n" % (p, kind, text))
        o.flush()
        if first:
            open(ready, "w").close(); first = False
        time.sleep(0.02)
PY
}

# the sampler's rows (FILE) of a java whose class path is PREFIX's jars only, hpc-backend.jar among them: the
# installed launcher names each jar of PREFIX/lib (sorted; an AOT cache fits only the class path it was trained
# with), where it used to give PREFIX/lib/* -- either form counts
ir_cp_rows() { # file prefix
  awk -F'\t' -v p="$2/lib/" '$2 == "cmd" {
      n = split($3, a, " ")
      for (i = 1; i < n; i++) if (a[i] == "-cp") {
        m = split(a[i + 1], e, ":"); ok = m > 0; hb = 0
        for (k = 1; k <= m; k++) {
          if (index(e[k], p) != 1) ok = 0
          if (e[k] == p "hpc-backend.jar" || e[k] == p "*") hb = 1
        }
        if (ok && hb) { print; break }
      }
    }' "$1"
}

# what the sampler saw of the installed backend in one job (FILE): "" when it proves PREFIX's backend ran and
# nothing of the checkout, else why not. PLUGDIR, the installed plugin directory, is not the checkout either: a
# child of bacula-fd sampled between the shim's fork and its exec of the launcher still maps the installed .so.
ir_judge() { # file prefix what plugdir
  local s=$1 prefix=$2 what=$3 plugdir=$4 foreign
  [ -s "$s" ] || { echo "$what: no process under the second bacula-fd was seen"; return 0; }
  ir_cp_rows "$s" "$prefix" | grep . >/dev/null \
    || { echo "$what: no backend command line with '-cp' of $prefix/lib's jars only (seen: $(awk -F'\t' '$2 == "cmd" {print $3}' "$s" | sort -u | cut -c1-200 | paste -sd'|'))"; return 0; }
  awk -F'\t' -v j="$prefix/lib/hpc-backend.jar" '($2 == "fd" || $2 == "map") && $3 == j' "$s" | grep . >/dev/null \
    || { echo "$what: the backend never had $prefix/lib/hpc-backend.jar open"; return 0; }
  # every path of the checkout other than the prefix and the plugin directory (which lie below it, in the
  # trusted directory)
  foreign=$(awk -F'\t' -v p="$prefix/" -v q="$plugdir/" -v r="$ROOT/" '{
      t = $3
      while ((i = index(t, p)) > 0) t = substr(t, 1, i - 1) substr(t, i + length(p))
      while ((i = index(t, q)) > 0) t = substr(t, 1, i - 1) substr(t, i + length(q))
      if (index(t, r)) print $2 ": " $3
    }' "$s" | head -n 3)
  [ -z "$foreign" ] || { echo "$what: the backend used the checkout: $foreign"; return 0; }
}

# the end of test 42, also on a failure or an interrupt (the test runs in a subshell of its own): the
# sampler stopped, the second FD stopped (it has the installed .so mapped), the prefix and plugin directory
# and the restored copy removed
ir_cleanup() {
  [ -z "${IR_STOP:-}" ] || touch -- "$IR_STOP"
  [ -z "${IR_SAMPLER:-}" ] || { kill "$IR_SAMPLER" 2>/dev/null || true; wait "$IR_SAMPLER" 2>/dev/null || true; }
  H down2 >&2 || true
  [ ${#IR_RM[@]} -eq 0 ] || rm -rf -- "${IR_RM[@]}"
}

# A backup and a restore through the INSTALLED plugin and backend: scripts/install.sh into a fresh prefix
# (root's, 0755 up to /, as the shim demands) and a fresh plugin directory, a second bacula-fd whose Plugin
# Directory is that one (up2 --plugin-dir), a plugin backup on it (Client=phpc-fd2) and a bconsole restore
# on it, verified byte for byte. Proof that the installed backend ran and the checkout's did not: the
# second FD mapped the installed .so (not the checkout's), and the processes under it during each job ran
# java with a class path of PREFIX/lib's jars only and PREFIX/lib/hpc-backend.jar open, and had nothing of the
# checkout open, mapped or on their command line. The second FD is stopped and the prefix removed at the end, even on failure.
test_42_install_backup_restore() {
  local n=install_backup_restore base prefix plug T out jobid rout rj dest fd2 bad v why
  require_plugin $n || return 0
  [ -f "$ROOT/hpc-backend/target/hpc-backend.jar" ] || { fail $n "not built (hpc-backend/target/hpc-backend.jar missing)"; return 0; }
  base=$(trusted_dir $n)       # $IT_TRUSTED/$n: root's, 0755, and so is every directory above it
  prefix=$base/prefix plug=$base/plugins dest=$SCRATCH/$n.dest
  IR_SAMPLER='' IR_STOP=$SCRATCH/$n.stop IR_RM=("$base" "$dest")
  trap ir_cleanup EXIT
  trap 'exit 130' INT TERM
  if ! "$ROOT/scripts/install.sh" "$prefix" "$plug" > "$SCRATCH/$n.install" 2>&1; then
    cat "$SCRATCH/$n.install" >&2; fail $n "scripts/install.sh failed: $(tail -n 1 "$SCRATCH/$n.install")"; return 0
  fi
  bad=$(untrusted_component "$prefix/bin/podheitor-hpc-backend")
  [ -z "$bad" ] || { fail $n "premise: the shim would refuse $prefix/bin/podheitor-hpc-backend: $bad is not root's or is group/other-writable"; return 0; }
  grep -qaF "$prefix/bin/podheitor-hpc-backend" "$plug/podheitor-hpc-fd.so" \
    || { fail $n "the installed .so does not default to $prefix/bin/podheitor-hpc-backend"; return 0; }
  # the second FD with the installed plugin directory
  H down2 >&2 || true
  H up2 --plugin-dir "$plug" >&2 || { fail $n "could not start the second bacula-fd with Plugin Directory $plug"; return 0; }
  fd2=$(cat "$IT_STATE/run/phpc-fd2.pid" 2>/dev/null || true)
  [ -n "$fd2" ] && [ -d "/proc/$fd2" ] || { fail $n "the second bacula-fd is not running"; return 0; }
  local rfs
  rfs=$(it_rootfs_prefix)
  grep -qF " $rfs$plug/podheitor-hpc-fd.so" "/proc/$fd2/maps" \
    || { fail $n "the second bacula-fd (pid $fd2) did not load $plug/podheitor-hpc-fd.so (see $IT_STATE/log/bacula-fd2.out)"; return 0; }
  ! grep -qF -e " $rfs$IT_STATE/plugins/" -e " $rfs$IT_STATE/plugins2/" -e " $rfs$ROOT/shim-c/build/" "/proc/$fd2/maps" \
    || { fail $n "the second bacula-fd (pid $fd2) mapped another podheitor-hpc-fd.so than the installed one"; return 0; }
  T=$(mk_tree installrun -n 200 --big 1 --big-max-mib 2 --symlinks 4 --hardlinks 3)
  # the backup, then the restore, each with the second FD's process tree sampled
  local s
  for s in backup restore; do
    rm -f -- "$IR_STOP" "$SCRATCH/$n.ready" "$SCRATCH/$n.$s.procs"
    ir_sampler "$fd2" "$IR_STOP" "$SCRATCH/$n.ready" "$SCRATCH/$n.$s.procs" &
    IR_SAMPLER=$!
    local i
    for ((i = 0; i < 200; i++)); do [ -e "$SCRATCH/$n.ready" ] && break; sleep 0.05; done
    [ -e "$SCRATCH/$n.ready" ] || { fail $n "the process sampler did not start"; return 0; }
    if [ $s = backup ]; then
      out=$SCRATCH/$n.backup
      if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T" Full Client=phpc-fd2; then
        fail_job $n "plugin backup through the installed plugin (Client=phpc-fd2)" "$out"; return 0
      fi
      jobid=$(field JobId "$out")
    else
      rm -rf -- "$dest"
      rout=$SCRATCH/$n.restore
      if ! hrun "$rout" restore "$jobid" "$dest" restoreclient=phpc-fd2; then
        fail_job $n "restore of job $jobid through the installed plugin (restoreclient=phpc-fd2)" "$rout"; return 0
      fi
      rj=$(field JobId "$rout")
    fi
    touch "$IR_STOP"; wait "$IR_SAMPLER" || true; IR_SAMPLER=''
    why=$(ir_judge "$SCRATCH/$n.$s.procs" "$prefix" "$s" "$plug")
    [ -z "$why" ] || { fail $n "$why"; return 0; }
  done
  [ "$(H query "SELECT Client.Name FROM Job JOIN Client USING (ClientId) WHERE JobId=$jobid")" = phpc-fd2 ] \
    || { fail $n "backup job $jobid did not run on phpc-fd2"; return 0; }
  if ! v=$(H verify "$T" "$dest" 2>&1); then
    echo "$v" >&2; fail $n "verify of restore $rj: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  note "$v"
  local bp rp ent
  ent=$(sed -n 's/.* entries=\([0-9]*\).*/\1/p' <<< "$v" | tail -n 1)
  bp=$(ir_cp_rows "$SCRATCH/$n.backup.procs" "$prefix" | cut -f1 | sort -u | paste -sd,)
  rp=$(ir_cp_rows "$SCRATCH/$n.restore.procs" "$prefix" | cut -f1 | sort -u | paste -sd,)
  pass "$n (installed into a fresh prefix + plugin dir; phpc-fd2 loaded the installed .so; backup $jobid and restore $rj ran java -cp PREFIX/lib's jars (pids $bp / $rp) with PREFIX/lib/hpc-backend.jar open, nothing of the checkout; restore verified byte for byte: ${ent:-?} entries)"
}
