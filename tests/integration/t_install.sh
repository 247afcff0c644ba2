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
