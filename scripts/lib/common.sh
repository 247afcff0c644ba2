# shellcheck shell=bash
# Shared helpers for the podheitor-hpc scripts. Source it; it defines functions
# and PHPC_ROOT (the repository root) and does not change shell options.

PHPC_ROOT=${PHPC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PHPC_PROG=${PHPC_PROG:-$(basename "$0")}

die()  { echo "$PHPC_PROG: ERROR: $*" >&2; exit 1; }
warn() { echo "$PHPC_PROG: WARNING: $*" >&2; }
info() { echo "$PHPC_PROG: $*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# The first of PATH (symlinks resolved) and the directories above it, up to /, that is not root's or is group-
# or other-writable, with its owner and mode; nothing when all are fine. The plugin runs a backend only when
# this prints nothing for it (as root; shim-c/backend.c bk_check_trusted, docs/security.md).
untrusted_component() { # path
  local p st
  p=$(realpath -- "$1" 2>/dev/null) || { echo "$1 (does not resolve)"; return 0; }
  while :; do
    st=$(stat -c '%u %a' -- "$p" 2>/dev/null) || { echo "$p (cannot stat)"; return 0; }
    if [ "${st%% *}" != 0 ] || (( 8#${st#* } & 8#022 )); then echo "$p (uid ${st%% *}, mode ${st#* })"; return 0; fi
    [ "$p" = / ] && return 0
    p=$(dirname -- "$p")
  done
}

# major Java version of a JDK home ("" if it is not a usable JDK: needs bin/java and bin/javac)
jdk_major() { # home
  local h=$1 v=""
  [ -x "$h/bin/java" ] && [ -x "$h/bin/javac" ] || return 0
  if [ -r "$h/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$h/release" | head -1)
  fi
  if [ -z "$v" ]; then
    v=$("$h/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
  fi
  [ -n "$v" ] || return 0
  case "$v" in
    1.*) v=${v#1.}; v=${v%%.*};;
    *) v=${v%%[.+-]*};;
  esac
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v"
  return 0
}

jdk_desc() { if [ -n "$1" ]; then echo "Java $1"; else echo "not a JDK"; fi; }

# Prints the home of a JDK >= PHPC_MIN_JAVA (default 22): $JAVA_HOME first, then
# the newest one under /usr/lib/jvm (PHPC_JVM_DIR). Returns 1 (with a message
# saying where it looked) when there is none. Never downloads anything.
find_jdk() {
  local min=${PHPC_MIN_JAVA:-22} jvm=${PHPC_JVM_DIR:-/usr/lib/jvm} h m
  local -a looked=()
  if [ -n "${JAVA_HOME:-}" ]; then
    m=$(jdk_major "$JAVA_HOME")
    looked+=("JAVA_HOME=$JAVA_HOME ($(jdk_desc "$m"))")
    if [ -n "$m" ] && [ "$m" -ge "$min" ]; then
      (cd "$JAVA_HOME" && pwd -P); return 0
    fi
  else
    looked+=("JAVA_HOME (unset)")
  fi
  local best="" bestm=0
  if [ -d "$jvm" ]; then
    for h in "$jvm"/*; do
      [ -d "$h" ] || continue
      m=$(jdk_major "$h")
      looked+=("$h ($(jdk_desc "$m"))")
      if [ -n "$m" ] && [ "$m" -ge "$min" ] && [ "$m" -gt "$bestm" ]; then
        best=$h; bestm=$m
      fi
    done
  else
    looked+=("$jvm (missing)")
  fi
  if [ -n "$best" ]; then
    (cd "$best" && pwd -P); return 0
  fi
  {
    echo "$PHPC_PROG: no JDK >= $min found. Looked at:"
    printf '  %s\n' "${looked[@]}"
    echo "  Install a JDK $min or newer (e.g. Temurin 25 under $jvm) or set JAVA_HOME to one."
  } >&2
  return 1
}

# "pkg pkg ..." -> the ones that are not installed (dpkg status)
missing_debs() {
  local p s
  for p in "$@"; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$s" = "install ok installed" ] || echo "$p"
  done
}
