#!/usr/bin/env bash
# bacula-inroot.sh -- part of the podheitor-hpc Bacula test harness: runs ONE command (a Bacula daemon,
# bconsole, 'bacula-dir -t') inside a private Debian root made by scripts/mkroot.sh, e.g. Bacula 15 from
# trixie on this bookworm host.
#
#   bacula-inroot.sh ROOTFS [--sys] [--bind DIR]... -- COMMAND [ARG...]
#
# The command gets its own mount namespace (unshare --mount --propagation slave) in which
#   --sys        /proc (a new proc mount), /dev and /sys (recursive binds of the host's) are mounted
#                into ROOTFS (what a daemon and the Java backend it starts need),
#   --bind DIR   the host directory DIR is bound (recursively) at the SAME path inside ROOTFS, so that the
#                harness's configs, state and the checkout's paths mean the same inside and outside;
# then it is chrooted into ROOTFS and runs COMMAND there, in the caller's working directory when that
# exists inside (else /). Each step execs the next: the PID the caller sees is the command's own.
#
# The mounts belong to that namespace only: the host never sees them, and they vanish with the command
# (normal exit, SIGTERM or SIGKILL), so nothing is ever left to unmount. With slave propagation, mounts the
# host makes later below a bound directory that is a shared mount (the harness makes its state directory
# one, scripts/lib/bacula-rootfs.sh) appear inside too.
#
# Mount points missing in ROOTFS are created (mode 0755, root's); a path through a symbolic link inside
# ROOTFS is refused, since the link would be resolved against the host's /. A DIR below another DIR given
# is covered by that one's recursive bind.
set -Eeuo pipefail
PHPC_PROG=bacula-inroot.sh

die() { echo "$PHPC_PROG: ERROR: $*" >&2; exit 1; }
usage() { sed -n '5,6p' "$0" >&2; exit 2; }

if [ "${1:-}" != --in-ns ]; then
  [ $# -ge 3 ] || usage
  [ "$(id -u)" = 0 ] || die "needs root (mount namespace, chroot)"
  exec unshare --mount --propagation slave -- "$0" --in-ns "$@"
fi
shift

root=${1%/}; shift
case $root in /?*) ;; *) die "ROOTFS must be an absolute path (got '$root')";; esac
if [ ! -d "$root" ] || [ ! -x "$root/bin/sh" ]; then die "$root is not a root file system (no bin/sh)"; fi
sys=0
binds=()
while [ $# -gt 0 ]; do
  case $1 in
    --sys) sys=1;;
    --bind) [ $# -ge 2 ] || usage; binds+=("$2"); shift;;
    --) shift; break;;
    *) usage;;
  esac
  shift
done
[ $# -gt 0 ] || usage

# the mount point ROOTFS/PATH (PATH absolute): every component a real directory, missing ones made 0755
mkpoint() {
  local rest=${1#/} c cur=$root
  while [ -n "$rest" ]; do
    c=${rest%%/*}
    if [ "$c" = "$rest" ]; then rest=""; else rest=${rest#*/}; fi
    case $c in ""|.) continue;; ..) die "'..' in mount point $1";; esac
    cur=$cur/$c
    [ ! -L "$cur" ] || die "refusing to mount on $cur: a symbolic link inside the root (it would lead outside)"
    if [ ! -e "$cur" ]; then mkdir -m 755 -- "$cur" 2>/dev/null || [ -d "$cur" ] || die "cannot create $cur"; fi
    [ -d "$cur" ] || die "mount point $cur is not a directory"
  done
}

if [ $sys = 1 ]; then
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
fi

# shortest first, so that a directory below one already bound is skipped (covered by the recursive bind)
mapfile -t sorted < <(for b in "${binds[@]}"; do printf '%s\t%s\n' "${#b}" "${b%/}"; done | sort -n -s | cut -f2-)
done_binds=()
for b in "${sorted[@]}"; do
  case $b in /?*) ;; *) die "--bind needs an absolute directory (got '$b')";; esac
  [ -d "$b" ] || die "--bind $b: not a directory"
  covered=0
  for d in "${done_binds[@]}"; do
    case $b/ in "$d"/*) covered=1; break;; esac
  done
  [ $covered = 0 ] || continue
  mkpoint "$b"
  mount --rbind -- "$b" "$root$b"
  done_binds+=("$b")
done

# shellcheck disable=SC2016  # expanded by the root's sh
exec chroot "$root" /bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' phpc-inroot "$PWD" "$@"
