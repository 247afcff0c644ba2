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

# ------------------------------------------------------- state directories ----
# A state directory (PHPC_STATE, IT_STATE, the bench's TREES, LATENCYFS_BASE, ...)
# holds what root later sources (etc/harness.env), the configs it runs daemons
# with and the plugin bacula-fd loads. The defaults are fixed names under /tmp,
# which another local user could create first (or make a symlink of), so every
# script that uses one checks it first, with
#
#   ensure_state_dir PATH          create PATH if it is missing (mode 700; missing
#                                  parents 755, one at a time), then check it
#   ensure_state_dir --check PATH  only check it (it must exist)
#
# PATH must be a real directory (not a symlink), owned by root, and not group- or
# other-writable. Each parent must be a directory owned by root, not group- or
# other-writable unless it has the sticky bit (/tmp); a parent that is a symlink
# must be owned by root itself, and so must every directory on the way to where
# it leads.
# ("Owned by root" also accepts the calling user when that is not root.) A path
# that fails is never put into shape (no chmod/chown): ensure_state_dir dies
# with a message that names the path and why.
ensure_state_dir() { # [--check] PATH
  local check_only=0
  if [ "${1:-}" = --check ]; then check_only=1; shift; fi
  local arg=${1:-} d
  [ -n "$arg" ] || die "state directory: empty path"
  case $arg in /*) d=$arg;; *) d=$PWD/$arg;; esac
  local -a comps=()
  local rest=${d#/} c
  while [ -n "$rest" ]; do
    c=${rest%%/*}
    if [ "$c" = "$rest" ]; then rest=""; else rest=${rest#*/}; fi
    case $c in
      ""|.) ;;
      ..) die "refusing state directory $arg: '..' is not allowed in its path";;
      *) comps+=("$c");;
    esac
  done
  [ ${#comps[@]} -gt 0 ] || die "refusing state directory $arg: it is /"
  local i last=$((${#comps[@]} - 1)) cur=""
  for ((i = 0; i <= last; i++)); do
    cur=$cur/${comps[i]}
    if [ ! -e "$cur" ] && [ ! -L "$cur" ]; then
      [ $check_only = 0 ] || die "state directory $arg: $cur does not exist"
      # one at a time, without -p: if something appears there meanwhile, mkdir
      # fails and the check below judges what is there
      if [ $i = $last ]; then mkdir -m 700 -- "$cur" 2>/dev/null || true
      else mkdir -m 755 -- "$cur" 2>/dev/null || true; fi
    fi
    if [ $i = $last ]; then _state_dir_problem "$cur"; else _state_parent_problem "$cur"; fi
    [ -z "$_SD_WHY" ] || die "refusing state directory $arg: $_SD_WHY; left as it is (remove it or choose another path)"
    # a (root's) symlink among the parents: where it leads is checked too, before
    # anything is made below it
    if [ $i != $last ] && [ -L "$cur" ] && ! _state_real_parents "$cur"; then
      die "refusing state directory $arg: $_SD_WHY; left as it is (choose another path)"
    fi
  done
  return 0
}

# checks every directory on the real path (symlinks resolved) of DIR, an
# existing directory, as a parent; returns 1 with _SD_WHY when one fails
_state_real_parents() { # dir
  local dir=$1 phys rest c cur=""
  phys=$(cd -P -- "$dir" 2>/dev/null && pwd) || { _SD_WHY="cannot enter $dir"; return 1; }
  rest=${phys#/}
  while [ -n "$rest" ]; do
    c=${rest%%/*}
    if [ "$c" = "$rest" ]; then rest=""; else rest=${rest#*/}; fi
    cur=$cur/$c
    _state_parent_problem "$cur"
    if [ -n "$_SD_WHY" ]; then _SD_WHY="$dir leads to $phys, and $_SD_WHY"; return 1; fi
  done
  return 0
}

# _SD_UID, _SD_MODE (a number) of PATH: of the path itself, or with -L of what it leads to
_state_stat() { # [-L] path
  local s
  if [ "$1" = -L ]; then s=$(stat -L -c '%u %f' -- "$2" 2>/dev/null) || return 1
  else s=$(stat -c '%u %f' -- "$1" 2>/dev/null) || return 1; fi
  _SD_UID=${s% *}; _SD_MODE=$((16#${s#* }))
}

_state_owner_ok() { [ "$1" = 0 ] || [ "$1" = "$EUID" ]; }

# _SD_WHY = why PATH is no acceptable state directory ("" when it is)
_state_dir_problem() { # path
  local p=$1
  _SD_WHY=""
  if [ -L "$p" ]; then _SD_WHY="$p is a symbolic link"
  elif [ ! -d "$p" ]; then _SD_WHY="$p is not a directory"
  elif ! _state_stat "$p"; then _SD_WHY="$p cannot be examined"
  elif ! _state_owner_ok "$_SD_UID"; then _SD_WHY="$p is owned by uid $_SD_UID, not by root"
  elif (( _SD_MODE & 8#022 )); then
    printf -v _SD_WHY '%s is group- or world-writable (mode %04o)' "$p" $((_SD_MODE & 8#7777))
  fi
}

# _SD_WHY = why PATH is no acceptable parent of a state directory ("" when it is)
_state_parent_problem() { # path
  local p=$1
  _SD_WHY=""
  if [ -L "$p" ]; then
    if ! _state_stat "$p"; then _SD_WHY="$p cannot be examined"; return 0; fi
    if ! _state_owner_ok "$_SD_UID"; then _SD_WHY="$p is a symbolic link owned by uid $_SD_UID, not by root"; return 0; fi
  fi
  if [ ! -d "$p" ]; then _SD_WHY="$p is not a directory"
  elif ! _state_stat -L "$p"; then _SD_WHY="$p cannot be examined"
  elif ! _state_owner_ok "$_SD_UID"; then _SD_WHY="$p is owned by uid $_SD_UID, not by root"
  elif (( (_SD_MODE & 8#022) && !(_SD_MODE & 8#1000) )); then
    printf -v _SD_WHY '%s is group- or world-writable without the sticky bit (mode %04o)' "$p" $((_SD_MODE & 8#7777))
  fi
}

# the median of the numbers on stdin, one per line (0 when there are none); the benchmarks' summaries
median() { sort -n | awk '{a[NR]=$1} END{ if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# ------------------------------------------------------------------ processes and ports (the labs, the harness)
proc_starttime() { # pid -> field 22 of /proc/PID/stat (for PID-reuse checks); empty when it is gone
  local rest
  local -a st
  read -r rest 2>/dev/null < "/proc/$1/stat" || return 0
  rest=${rest##*) }
  read -r -a st <<< "$rest"
  echo "${st[19]:-}"
}

# a process that exists and is not a zombie (a killed daemon stays a zombie until its parent or init reaps it)
pid_alive() { # pid
  local rest
  read -r rest 2>/dev/null < "/proc/$1/stat" || return 1
  rest=${rest##*) }
  [ "${rest%% *}" != Z ]
}

port_listening() { # port: something listens on it (TCP, any local address)
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
