# shellcheck shell=bash
# The backend launcher's JVM fatal error log (-XX:ErrorFile, hs_err_pid*.log: environment, paths, memory
# maps): never in a shared directory like /tmp, where another user can pre-create or symlink the name, but in
# a directory only the running uid can write -- PREFIX/var/log installed, build/log in a checkout, created
# 0700 when missing, or the directory PREFIX/log.dir names -- and, when that directory is not safe (a symlink, group- or other-writable, another
# owner, or an unsafe parent), no -XX:ErrorFile at all (the JVM's default: its working directory).
# The launcher runs from a copy of each layout with a fake java (via JAVA_HOME) that records its arguments.
# No Bacula needed.

# a copy of the launcher in a fake installed or checkout layout under DIR; its java writes its argv to DIR/args
lz_tree() { # dir installed|checkout
  local d=$1
  rm -rf -- "$d"
  mkdir -p -- "$d/bin" "$d/jdk/bin"
  cp -- "$ROOT/bin/podheitor-hpc-backend" "$d/bin/"
  if [ "$2" = installed ]; then
    mkdir -p -- "$d/lib" "$d/var"; : > "$d/lib/hpc-backend.jar"
  else
    mkdir -p -- "$d/hpc-backend/target/lib" "$d/build"; : > "$d/hpc-backend/target/hpc-backend.jar"
  fi
  printf '#!/bin/sh\nprintf "%%s\\n" "$@" > "%s/args"\n' "$d" > "$d/jdk/bin/java"
  chmod 755 "$d/jdk/bin/java"
  chmod 755 "$d" "$d/bin" "$d/jdk" "$d/jdk/bin"
}

# run it; prints the -XX:ErrorFile value ("" when none); 1 when java did not run
lz_run() { # dir
  rm -f -- "$1/args"
  (unset JAVA_TOOL_OPTIONS; JAVA_HOME=$1/jdk sh "$1/bin/podheitor-hpc-backend" < /dev/null > /dev/null 2>&1) || true
  [ -f "$1/args" ] || return 1
  sed -n 's/^-XX:ErrorFile=//p' "$1/args"
}

test_41_launcher_errorfile() {
  local n=launcher_errorfile base d got want st res=""
  base=$(scratch $n)
  # 1. checkout layout: build/log created 0700, owned by us
  d=$base/co; lz_tree "$d" checkout
  got=$(lz_run "$d") || { fail $n "the launcher did not run the fake java (checkout layout)"; return 0; }
  want=$d/build/log/podheitor-hpc-backend-hs_err_%p.log
  [ "$got" = "$want" ] || { fail $n "checkout: -XX:ErrorFile='$got', want '$want'"; return 0; }
  st=$(stat -c '%F %a %u' "$d/build/log")
  [ "$st" = "directory 700 $(id -u)" ] && [ ! -L "$d/build/log" ] \
    || { fail $n "checkout: build/log is '$st', want a directory 700 owned by uid $(id -u)"; return 0; }
  got=$(lz_run "$d")
  [ "$got" = "$want" ] || { fail $n "checkout, second start: -XX:ErrorFile='$got'"; return 0; }
  res+=" checkout=build/log(700)"
  # 2. installed layout: PREFIX/var/log
  d=$base/inst; lz_tree "$d" installed
  got=$(lz_run "$d") || { fail $n "the launcher did not run the fake java (installed layout)"; return 0; }
  want=$d/var/log/podheitor-hpc-backend-hs_err_%p.log
  [ "$got" = "$want" ] || { fail $n "installed: -XX:ErrorFile='$got', want '$want'"; return 0; }
  [ "$(stat -c '%a %u' "$d/var/log")" = "700 $(id -u)" ] || { fail $n "installed: var/log is $(stat -c '%a %u' "$d/var/log")"; return 0; }
  res+=" installed=var/log(700)"
  # 2b. an installed layout that names its directory in PREFIX/log.dir (the .deb: /var/log/podheitor-hpc)
  d=$base/named; lz_tree "$d" installed
  printf '%s\n' "$base/named-log" > "$d/log.dir"
  got=$(lz_run "$d") || { fail $n "the launcher did not run the fake java (log.dir layout)"; return 0; }
  want=$base/named-log/podheitor-hpc-backend-hs_err_%p.log
  [ "$got" = "$want" ] || { fail $n "log.dir: -XX:ErrorFile='$got', want '$want'"; return 0; }
  [ "$(stat -c '%a %u' "$base/named-log")" = "700 $(id -u)" ] || { fail $n "log.dir: $base/named-log is $(stat -c '%a %u' "$base/named-log")"; return 0; }
  [ ! -e "$d/var/log" ] || { fail $n "log.dir: PREFIX/var/log was created as well"; return 0; }
  res+=" log.dir=named(700)"
  # 3. unsafe directories: no -XX:ErrorFile (the JVM's default), never /tmp
  local what
  for what in symlink groupwritable otherwritable otheruid parentwritable parentmissing; do
    d=$base/$what; lz_tree "$d" checkout
    case $what in
      symlink) mkdir -p "$base/elsewhere"; ln -s "$base/elsewhere" "$d/build/log";;
      groupwritable) mkdir -m 770 "$d/build/log";;
      otherwritable) mkdir -m 703 "$d/build/log";;
      otheruid) mkdir -m 700 "$d/build/log"; chown 54321 "$d/build/log";;
      parentwritable) chmod 775 "$d/build";;
      parentmissing) rmdir "$d/build";;
    esac
    got=$(lz_run "$d") || { fail $n "$what: the launcher did not run the fake java"; return 0; }
    [ -z "$got" ] || { fail $n "$what: -XX:ErrorFile='$got', want none"; return 0; }
    res+=" $what=none"
  done
  [ ! -e "$base/parentwritable/build/log" ] || { fail $n "parentwritable: build/log was created in a group-writable build/"; return 0; }
  [ -z "$(ls -A "$base/elsewhere")" ] || { fail $n "symlink: something was written through the symlink"; return 0; }
  # 4. no argument names a file directly in /tmp (the old default was /tmp/podheitor-hpc-backend-hs_err_%p.log);
  # the scratch directories themselves may live under /tmp, so only a file name right below /tmp counts
  if grep -hE -- '^-XX:ErrorFile=/tmp/[^/]+$' "$base"/*/args > /dev/null 2>&1; then
    fail $n "an -XX:ErrorFile in /tmp is still given"; return 0
  fi
  rm -rf -- "$base"
  pass "$n (-XX:ErrorFile:$res)"
}
