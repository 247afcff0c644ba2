#!/usr/bin/env bash
# Install a built checkout (run scripts/build.sh first), per docs/layout.md:
#
#   scripts/install.sh [PREFIX] [PLUGIN_DIR]     (defaults /opt/podheitor-hpc, /usr/lib/bacula)
#
#   PREFIX/bin/{podheitor-hpc,podheitor-hpc-backend}   launchers
#   PREFIX/lib/*.jar                                   hpc-backend + hpc-cli jars and their target/lib deps
#   PREFIX/java.home                                   the JDK chosen by the build
#   PREFIX/var/log/                                    mode 0700: the backend JVM's fatal error logs (hs_err)
#   PLUGIN_DIR/podheitor-hpc-fd.so                     rebuilt with DEFAULT_BACKEND=PREFIX/bin/podheitor-hpc-backend
#
# Restart bacula-fd afterwards so that it loads the plugin.
set -Eeuo pipefail
PHPC_PROG=install.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT

main() {
  [ $# -le 2 ] || die "usage: install.sh [PREFIX] [PLUGIN_DIR]"
  local prefix=${1:-/opt/podheitor-hpc} plugdir=${2:-/usr/lib/bacula}
  case "$prefix" in /*) ;; *) prefix=$PWD/$prefix;; esac
  case "$plugdir" in /*) ;; *) plugdir=$PWD/$plugdir;; esac
  prefix=${prefix%/}; plugdir=${plugdir%/}
  [ -n "$prefix" ] || die "PREFIX must not be /"

  local m jar
  for m in hpc-backend hpc-cli; do
    jar=$ROOT/$m/target/$m.jar
    [ -f "$jar" ] || die "$jar missing: run scripts/build.sh first"
  done
  [ -f "$ROOT/build/java.home" ] || die "$ROOT/build/java.home missing: run scripts/build.sh first"
  local l
  for l in podheitor-hpc podheitor-hpc-backend; do
    [ -f "$ROOT/bin/$l" ] || die "launcher $ROOT/bin/$l missing"
  done

  mkdir -p "$prefix" "$plugdir"
  # the plugin runs PREFIX/bin/podheitor-hpc-backend as root only when it and every directory above it are
  # root's and not group/other-writable (docs/security.md): do not leave that to the umask
  install -d -m 755 "$prefix" "$prefix/bin" "$prefix/lib"
  for m in hpc-backend hpc-cli; do
    install -m 644 "$ROOT/$m/target/$m.jar" "$prefix/lib/"
    if [ -d "$ROOT/$m/target/lib" ]; then
      find "$ROOT/$m/target/lib" -maxdepth 1 -name '*.jar' -exec install -m 644 {} "$prefix/lib/" \;
    fi
  done
  for l in podheitor-hpc podheitor-hpc-backend; do
    install -m 755 "$ROOT/bin/$l" "$prefix/bin/$l"
  done
  install -m 644 "$ROOT/build/java.home" "$prefix/java.home"
  # the backend launcher's -XX:ErrorFile directory: only root may write (or read) JVM crash logs
  install -d -m 755 "$prefix/var"
  install -d -m 700 "$prefix/var/log"
  # AOT caches are bound to the class path they were trained with: train the installed launchers
  "$ROOT/scripts/build-aot.sh" "$prefix" >/dev/null 2>"$prefix/lib/aot.log" \
    || warn "AOT caches not built (see $prefix/lib/aot.log); the launchers start without them"
  info "make -C shim-c install PLUGIN_DIR=$plugdir DEFAULT_BACKEND=$prefix/bin/podheitor-hpc-backend"
  make -C "$ROOT/shim-c" install PLUGIN_DIR="$plugdir" DEFAULT_BACKEND="$prefix/bin/podheitor-hpc-backend" \
    || die "shim install failed"
  [ -f "$plugdir/podheitor-hpc-fd.so" ] || die "$plugdir/podheitor-hpc-fd.so was not installed"
  local bad
  bad=$(untrusted_component "$prefix/bin/podheitor-hpc-backend")
  [ -z "$bad" ] || warn "the plugin will refuse to run $prefix/bin/podheitor-hpc-backend as root: $bad is not owned by root or is writable by group/others (docs/security.md)"
  # 'make install' rebuilt shim-c/build/ for PREFIX; rebuild the checkout's .so
  # so that it points at the checkout's launcher again
  make -s -C "$ROOT/shim-c" DEFAULT_BACKEND="$ROOT/bin/podheitor-hpc-backend" >/dev/null \
    || warn "could not rebuild the checkout's shim-c/build/podheitor-hpc-fd.so (run scripts/build.sh)"
  echo "installed:"
  echo "  $prefix/bin/podheitor-hpc"
  echo "  $prefix/bin/podheitor-hpc-backend"
  echo "  $prefix/lib/ ($(find "$prefix/lib" -maxdepth 1 -name '*.jar' | wc -l) jars)"
  echo "  $prefix/java.home ($(cat "$prefix/java.home"))"
  echo "  $prefix/var/log/ (JVM fatal error logs of the backend)"
  echo "  $plugdir/podheitor-hpc-fd.so"
  echo "restart bacula-fd (with 'Plugin Directory = $plugdir') to load the plugin"
}

main "$@"
