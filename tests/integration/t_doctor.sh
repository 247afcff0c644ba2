# shellcheck shell=bash
# `podheitor-hpc doctor` (docs/doctor.md) against the private harness, with either Bacula (PHPC_BACULA):
#
#   test 43  the harness FD's own bacula-fd.conf (its Plugin Directory holds the checkout's .so, whose backend is
#            the checkout's launcher), the real bacula-fd (9.6.7 on the host; 15.0.3 inside PHPC_ROOTFS, where
#            doctor then runs too, chrooted like the FD, so that it finds that root's bacula-fd), a real PTCOMM
#            Hello with the backend: all OK, including the FD's interface (14 or 23), that the .so accepts it and
#            that the running FD has the .so mapped. Then a broken plugin directory and a path= that a (fake)
#            mount table says is the root of a Lustre file system: PROBLEM lines, exit 1.
#   test 44  a REJECTED plugin is never silent: a second real bacula-fd whose plugin directory holds a
#            podheitor-hpc-fd.so that refuses the FD's interface (a small .so made here: its loadPlugin records
#            the version it was offered and returns bRC_Error, its strings claim every interface but that one,
#            like a build older than the FD). bacula-fd then drops the plugin and logs nothing; doctor must say
#            REJECTS with the FD's interface, and that the running FD has not loaded the .so; a plugin job on that
#            FD fails with the FD's own "Command plugin ... not loaded/not found".
# Fakes of lctl/mmlsnsd and of /proc are the JUnit tests' business (DoctorCommandTest).

# doctor as the FD sees the world: on the host for 9.6; for 15 inside the FD's root, with the state directory,
# the checkout and the JDK bound at the same paths (bacula-inroot.sh, as the harness runs the 15 daemons)
dr_doctor() { # args...
  if [ "${PHPC_BACULA:-9.6}" = 9.6 ]; then
    "$ROOT/bin/podheitor-hpc" doctor "$@"
  else
    local jdk
    jdk=$(head -n 1 "$ROOT/build/java.home")
    "$ROOT/scripts/lib/bacula-inroot.sh" "$(it_rootfs_prefix)" --sys --bind "$IT_STATE" --bind "$ROOT" \
      --bind "$jdk" -- "$ROOT/bin/podheitor-hpc" doctor "$@"
  fi
}

# the FD's plugin interface (docs/abi.md §0.2) and the first part of its release, per harness version
dr_iface() { if [ "${PHPC_BACULA:-9.6}" = 9.6 ]; then echo 14; else echo 23; fi; }
dr_release() { if [ "${PHPC_BACULA:-9.6}" = 9.6 ]; then echo 9.6.; else echo 15.0.; fi; }

test_43_doctor_harness() {
  local n=doctor_harness out=$TLOG/doctor.out conf=$IT_STATE/etc/bacula-fd.conf rc=0 d iface fdpid
  [ -f "$conf" ] || { fail $n "$conf missing (the harness is not up)"; return 0; }
  require_plugin $n || return 0
  iface=$(dr_iface)
  fdpid=$(fd_pid)
  d=$(scratch $n)
  printf 'FileSet {\n  Name = x\n  Include {\n    Plugin = "podheitor-hpc:path=%s;threads=4"\n  }\n}\n' "$TREES" > "$d/fileset.conf"
  dr_doctor --fd-conf "$conf" --fileset "$d/fileset.conf" --path / > "$out" 2>&1 || rc=$?
  sed 's/^/    /' "$out" >&2
  [ "$rc" = 0 ] || { fail $n "doctor exited $rc on the harness install: $(grep -m1 '^PROBLEM' "$out")"; return 0; }
  local want
  for want in "OK $conf: Plugin Directory = $IT_STATE/plugins" "OK $IT_STATE/plugins/podheitor-hpc-fd.so" \
              "OK bacula-fd $(dr_release)" "OK podheitor-hpc-fd.so accepts interface $iface " \
              "OK bacula-fd pid $fdpid has loaded $IT_STATE/plugins/podheitor-hpc-fd.so" \
              "OK backend $ROOT/bin/podheitor-hpc-backend " "OK Java runtime " "OK backend answered Hello in " \
              "OK crash-log directory $ROOT/build/log " "OK path=$TREES is not the root" "OK path=/ is not the root" \
              "OK not a Lustre server" "OK not a GPFS NSD server"; do
    grep -q "^$want" "$out" || { fail $n "no line '$want...' (see $out)"; return 0; }
  done
  grep -q "^OK bacula-fd $(dr_release)[^ ]* .* offers plugin interface $iface\$" "$out" \
    || { fail $n "doctor does not say that bacula-fd offers interface $iface"; return 0; }
  local hello
  hello=$(sed -n 's/^OK backend answered Hello in \([0-9.]*\) s.*/\1/p' "$out")
  # broken: an empty plugin directory, and path= at the root of a (fake) Lustre mount
  mkdir -p "$d/plugins" "$d/root/proc/self"
  sed "s|^\( *Plugin Directory = \).*|\1\"$d/plugins\"|" "$conf" > "$d/bacula-fd.conf"
  printf '22 1 8:1 / / rw - ext4 /dev/vda rw\n40 22 0:40 / %s rw - lustre 10.0.0.1@o2ib:/lfs1 rw\n' "$TREES" \
    > "$d/root/proc/self/mountinfo"
  rc=0
  dr_doctor --fd-conf "$d/bacula-fd.conf" --fileset "$d/fileset.conf" --root "$d/root" > "$out.broken" 2>&1 || rc=$?
  sed 's/^/    broken: /' "$out.broken" >&2
  [ "$rc" = 1 ] || { fail $n "doctor exited $rc on a broken install, want 1"; return 0; }
  grep -q "^PROBLEM $d/plugins/podheitor-hpc-fd.so is missing: install the podheitor-hpc package" "$out.broken" \
    || { fail $n "no PROBLEM line for the missing .so"; return 0; }
  grep -q "^PROBLEM path=$TREES is the root of a lustre file system (10.0.0.1@o2ib:/lfs1): .*separate jobs" "$out.broken" \
    || { fail $n "no PROBLEM line for path= at a Lustre root"; return 0; }
  rm -rf -- "$d"
  pass "$n (Bacula ${PHPC_BACULA:-9.6}: interface $iface accepted and the .so loaded by bacula-fd pid $fdpid; $(tail -n 1 "$out" | sed 's/^doctor: //'), Hello in ${hello} s; broken: $(tail -n 1 "$out.broken" | sed 's/^doctor: //'))"
}

DR_BASE=
dr_cleanup() {
  H down2 >&2 || true
  [ -z "$DR_BASE" ] || rm -rf -- "$DR_BASE"
}

test_44_doctor_rejected_plugin() {
  local n=doctor_rejected_plugin base plug iface claims out=$TLOG/doctor-rejected.out rc=0 fd2 got T jobid
  command -v gcc > /dev/null || { skip $n "no gcc to make the rejecting .so"; return 0; }
  iface=$(dr_iface)
  claims=$(tr ',' '\n' <<< "14,21,22,23" | grep -vx "$iface" | paste -sd, -)
  base=$(trusted_dir $n)                 # below the checkout: bound into the root for Bacula 15
  plug=$base/plugins
  DR_BASE=$base
  trap dr_cleanup EXIT
  trap 'exit 130' INT TERM
  install -d -m 755 "$plug"
  cat > "$base/reject.c" <<EOF
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* a podheitor-hpc-fd.so of a build that does not serve this FD's interface: what doctor reads, and a loadPlugin
 * that refuses (bRC_Error) after noting the version it was offered */
__attribute__((used, section(".podheitor_hpc"))) static const char a[] = "PODHEITOR_HPC_FD_INTERFACES=$claims";
__attribute__((used, section(".podheitor_hpc"))) static const char b[] = "PODHEITOR_HPC_FD_BACKEND=$ROOT/bin/podheitor-hpc-backend";
typedef struct { unsigned size, version; } bInfo;
__attribute__((visibility("default"))) int loadPlugin(bInfo *i, void *f, void **p, void **q)
{
    char s[32];
    int fd = open("$base/offered", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    (void)f; (void)p; (void)q;
    if (fd >= 0) { int k = snprintf(s, sizeof s, "%u\n", i ? i->version : 0u); (void)!write(fd, s, k); close(fd); }
    return 2;
}
__attribute__((visibility("default"))) int unloadPlugin(void) { return 0; }
EOF
  gcc -shared -fPIC -O2 -o "$plug/podheitor-hpc-fd.so" "$base/reject.c" 2> "$base/gcc.log" \
    || { cat "$base/gcc.log" >&2; fail $n "could not build the rejecting .so"; return 0; }
  chmod 644 "$plug/podheitor-hpc-fd.so"
  H down2 >&2 || true
  H up2 --plugin-dir "$plug" >&2 || { fail $n "could not start the second bacula-fd with Plugin Directory $plug"; return 0; }
  fd2=$(cat "$IT_STATE/run/phpc-fd2.pid" 2>/dev/null || true)
  [ -n "$fd2" ] && [ -d "/proc/$fd2" ] || { fail $n "the second bacula-fd is not running"; return 0; }
  got=$(cat "$base/offered" 2>/dev/null || true)
  [ "$got" = "$iface" ] || { fail $n "premise: bacula-fd should have offered interface $iface to loadPlugin, the .so saw '${got:-nothing}'"; return 0; }
  ! grep -qF "$plug/podheitor-hpc-fd.so" "/proc/$fd2/maps" \
    || { fail $n "premise: bacula-fd kept the rejecting .so mapped"; return 0; }
  dr_doctor --fd-conf "$IT_STATE/etc/bacula-fd2.conf" > "$out" 2>&1 || rc=$?
  sed 's/^/    /' "$out" >&2
  [ "$rc" = 1 ] || { fail $n "doctor exited $rc, want 1 (a rejected plugin)"; return 0; }
  grep -q "^PROBLEM podheitor-hpc-fd.so REJECTS plugin interface $iface of bacula-fd $(dr_release)[0-9]* (it accepts $claims): bacula-fd does not load it and logs nothing about it" "$out" \
    || { fail $n "no 'REJECTS plugin interface $iface' line (see $out)"; return 0; }
  grep -q "^PROBLEM bacula-fd pid $fd2 has not loaded $plug/podheitor-hpc-fd.so: the .so rejected its plugin interface $iface" "$out" \
    || { fail $n "no line saying that bacula-fd pid $fd2 has not loaded the .so (see $out)"; return 0; }
  # and what the administrator sees without doctor: a plugin job on that FD fails
  T=$(mk_tree doctor-rejected -n 5)
  out=$SCRATCH/$n.backup
  if hrun "$out" backup-plugin "podheitor-hpc:path=$T" Full Client=phpc-fd2; then
    fail $n "a plugin backup on the FD that rejected the plugin succeeded"; return 0
  fi
  jobid=$(field JobId "$out")
  got=$(H joblog "$jobid" 2>/dev/null | grep -m1 -E 'Command plugin .*(not loaded|not found)' || true)
  [ -n "$got" ] || { fail $n "job $jobid failed without the FD's 'Command plugin ... not loaded/not found': $(job_err "$out")"; return 0; }
  local ver
  ver=$(sed -n 's/^OK bacula-fd \([0-9.]*\) .*/\1/p' "$TLOG/doctor-rejected.out" | head -n 1)
  pass "$n (bacula-fd $ver offered $iface, the .so (claiming $claims) refused; doctor: REJECTS + not loaded by pid $fd2; job $jobid: '$(sed 's/.*\(Command plugin\)/\1/' <<< "$got" | cut -c1-100)')"
}
