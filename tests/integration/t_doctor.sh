# shellcheck shell=bash
# `podheitor-hpc doctor` (docs/doctor.md) on this host against the private 9.6 harness: the harness FD's own
# bacula-fd.conf (its Plugin Directory holds the checkout's .so, whose backend is the checkout's launcher), the
# real bacula-fd 9.6.7, a real PTCOMM Hello with the backend; then the same with a broken plugin directory and
# with a path= that a (fake) mount table says is the root of a Lustre file system. Fakes of lctl/mmlsnsd and of
# /proc are the JUnit tests' business (DoctorCommandTest).

test_42_doctor_harness() {
  local n=doctor_harness out=$TLOG/doctor.out conf=$IT_STATE/etc/bacula-fd.conf rc=0 d
  [ -f "$conf" ] || { fail $n "$conf missing (the harness is not up)"; return 0; }
  d=$(scratch $n)
  printf 'FileSet {\n  Name = x\n  Include {\n    Plugin = "podheitor-hpc:path=%s;threads=4"\n  }\n}\n' "$TREES" > "$d/fileset.conf"
  "$ROOT/bin/podheitor-hpc" doctor --fd-conf "$conf" --fileset "$d/fileset.conf" --path / > "$out" 2>&1 || rc=$?
  sed 's/^/    /' "$out" >&2
  [ "$rc" = 0 ] || { fail $n "doctor exited $rc on the harness install: $(grep -m1 '^PROBLEM' "$out")"; return 0; }
  local want
  for want in "OK $conf: Plugin Directory = $IT_STATE/plugins" "OK $IT_STATE/plugins/podheitor-hpc-fd.so" \
              "OK bacula-fd 9.6.7 " "OK podheitor-hpc-fd.so accepts interface 14 " \
              "OK backend $ROOT/bin/podheitor-hpc-backend " "OK Java runtime " "OK backend answered Hello in " \
              "OK crash-log directory $ROOT/build/log " "OK path=$TREES is not the root" "OK path=/ is not the root" \
              "OK not a Lustre server" "OK not a GPFS NSD server"; do
    grep -q "^$want" "$out" || { fail $n "no line '$want...' (see $out)"; return 0; }
  done
  local hello
  hello=$(sed -n 's/^OK backend answered Hello in \([0-9.]*\) s.*/\1/p' "$out")
  # broken: an empty plugin directory, and path= at the root of a (fake) Lustre mount
  mkdir -p "$d/plugins" "$d/root/proc/self"
  sed "s|^\( *Plugin Directory = \).*|\1\"$d/plugins\"|" "$conf" > "$d/bacula-fd.conf"
  printf '22 1 8:1 / / rw - ext4 /dev/vda rw\n40 22 0:40 / %s rw - lustre 10.0.0.1@o2ib:/lfs1 rw\n' "$TREES" \
    > "$d/root/proc/self/mountinfo"
  rc=0
  "$ROOT/bin/podheitor-hpc" doctor --fd-conf "$d/bacula-fd.conf" --fileset "$d/fileset.conf" --root "$d/root" \
    > "$out.broken" 2>&1 || rc=$?
  sed 's/^/    broken: /' "$out.broken" >&2
  [ "$rc" = 1 ] || { fail $n "doctor exited $rc on a broken install, want 1"; return 0; }
  grep -q "^PROBLEM $d/plugins/podheitor-hpc-fd.so is missing: install the podheitor-hpc package" "$out.broken" \
    || { fail $n "no PROBLEM line for the missing .so"; return 0; }
  grep -q "^PROBLEM path=$TREES is the root of a lustre file system (10.0.0.1@o2ib:/lfs1): .*separate jobs" "$out.broken" \
    || { fail $n "no PROBLEM line for path= at a Lustre root"; return 0; }
  rm -rf -- "$d"
  pass "$n (harness install: $(tail -n 1 "$out" | sed 's/^doctor: //'), Hello in ${hello} s; broken: $(tail -n 1 "$out.broken" | sed 's/^doctor: //'))"
}
