#!/usr/bin/env bash
# Build podheitor-hpc from the checkout (docs/layout.md):
#   1. scripts/install-deps.sh (skip with PHPC_SKIP_DEPS=1)
#   2. find a JDK >= 22, write its path to build/java.home
#   3. mvn -B -q -DskipTests package            (Java modules, jars in */target)
#   4. make -C shim-c DEFAULT_BACKEND=<checkout>/bin/podheitor-hpc-backend
#                                                 (-> shim-c/build/podheitor-hpc-fd.so)
set -Eeuo pipefail
PHPC_PROG=build.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT=$PHPC_ROOT

main() {
  if [ "${PHPC_SKIP_DEPS:-0}" != 1 ]; then
    "$ROOT/scripts/install-deps.sh"
  fi
  local jdk
  jdk=$(find_jdk) || exit 1
  mkdir -p "$ROOT/build"
  printf '%s\n' "$jdk" > "$ROOT/build/java.home"
  info "JDK $jdk (Java $(jdk_major "$jdk")) -> build/java.home"

  command -v mvn >/dev/null 2>&1 || die "mvn not found (run scripts/install-deps.sh)"
  [ -f "$ROOT/pom.xml" ] || die "$ROOT/pom.xml missing: not a complete checkout"
  info "mvn -B -q -DskipTests package"
  (cd "$ROOT" && JAVA_HOME=$jdk PATH=$jdk/bin:$PATH mvn -B -q -DskipTests package) \
    || die "maven build failed"

  # the backend's AOT cache (faster start-up; optional: the launcher runs without it)
  "$ROOT/scripts/build-aot.sh" >/dev/null 2>"$ROOT/build/aot.log" \
    || warn "AOT cache not built (see build/aot.log); the backend starts without it"

  command -v make >/dev/null 2>&1 || die "make not found (run scripts/install-deps.sh)"
  [ -d "$ROOT/shim-c" ] || die "$ROOT/shim-c missing: not a complete checkout"
  info "make -C shim-c DEFAULT_BACKEND=$ROOT/bin/podheitor-hpc-backend"
  make -C "$ROOT/shim-c" DEFAULT_BACKEND="$ROOT/bin/podheitor-hpc-backend" \
    || die "shim build failed"

  # latencyfs (the benchmark's metadata-latency emulator) needs libfuse3-dev; optional for the plugin itself
  if [ -d "$ROOT/latencyfs" ] && pkg-config --exists fuse3 2>/dev/null; then
    info "make -C latencyfs"
    make -s -C "$ROOT/latencyfs" || die "latencyfs build failed"
  else
    warn "latencyfs not built (libfuse3-dev missing); benchmarks on the emulator will not run"
  fi

  local so=$ROOT/shim-c/build/podheitor-hpc-fd.so
  [ -f "$so" ] || die "the shim build did not produce $so"
  local bad
  bad=$(untrusted_component "$ROOT/bin/podheitor-hpc-backend")
  [ -z "$bad" ] || warn "the plugin will refuse to run $ROOT/bin/podheitor-hpc-backend as root: $bad is not owned by root or is writable by group/others (docs/security.md)"
  echo "built:"
  echo "  plugin:    $so"
  local l j
  for l in "$ROOT/bin/podheitor-hpc-backend" "$ROOT/bin/podheitor-hpc"; do
    if [ -x "$l" ]; then echo "  launcher:  $l"; else warn "launcher $l missing or not executable"; fi
  done
  for j in "$ROOT"/hpc-backend/target/hpc-backend.jar "$ROOT"/hpc-cli/target/hpc-cli.jar; do
    if [ -f "$j" ]; then echo "  jar:       $j"; else warn "$j missing"; fi
  done
  echo "  java.home: $ROOT/build/java.home ($jdk)"
}

main "$@"
