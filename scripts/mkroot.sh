#!/usr/bin/env bash
# Make (or reuse) a private Debian root with mmdebstrap, e.g. a Debian trixie root holding Bacula 15.0.3, for
# the harness's Bacula 15 daemons (PHPC_BACULA=15 PHPC_ROOTFS=DIR, scripts/lib/bacula-rootfs.sh).
#
#   scripts/mkroot.sh [SUITE [DIR [PACKAGE...]]]
#
#   SUITE     Debian suite (default trixie)
#   DIR       where the root goes (default $PHPC_ROOTS/SUITE, PHPC_ROOTS=/var/lib/podheitor-hpc/roots)
#   PACKAGE   packages to install into it (default: the Bacula set below)
#
# With the default package set, Debian's PostgreSQL catalog backend of that Bacula (bacula-common-pgsql and
# bacula-director-pgsql, which conflict with the -sqlite3 ones) is UNPACKED, not installed, into
# DIR/var/lib/podheitor-hpc/bacula-pgsql (scripts/lib/unpack-debs.sh says why and how); the harness's
# PHPC_CATALOG=pgsql runs only its own bacula-dir with it. PHPC_ROOT_UNPACK="PKG ..." sets that list for a root
# of other packages (unpacked at the version of the root's bacula-director).
#
# Prints DIR on stdout (the last line); messages go to stderr.
# Idempotent: DIR is reused as it is when its stamp (DIR/.phpc-root) records the same suite, mirror,
# package list and unpacked list; otherwise (a different list, or an unfinished root without a stamp) it is made again. A root
# is built in DIR.new.PID and renamed into place when complete, so an interrupted run never leaves a root
# that looks usable. The parent of DIR must be root's own and not writable by others (ensure_state_dir,
# scripts/lib/common.sh): the harness runs the daemons of this root as root.
# Nothing is installed on the host: the packages go into DIR only (mmdebstrap, root mode, --variant=apt).
# env: PHPC_DEBIAN_MIRROR (default http://deb.debian.org/debian), PHPC_ROOTS.
set -Eeuo pipefail
PHPC_PROG=mkroot.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Bacula 15.0.3 in trixie: what the harness runs from the root (procps: pgrep/ps for debugging inside it;
# util-linux: setpriv, used by the integration tests' root-squash wrappers, which run inside the root)
# libpq5: the client library of the unpacked PostgreSQL catalog backend (the server runs on the host)
# python3: the integration tests' fake GPFS mmapplypolicy (hpc-changelog/src/test/python), which the backend runs
DEFAULT_PACKAGES=(bacula-fd bacula-sd bacula-director bacula-director-sqlite3 bacula-console sqlite3 procps util-linux
                  libpq5 python3)
DEFAULT_UNPACK=(bacula-common-pgsql bacula-director-pgsql)
# where they go, inside the root (the same path as scripts/install-deps.sh's on the host)
UNPACK_DIR=/var/lib/podheitor-hpc/bacula-pgsql

usage() { sed -n '2,20p' "$0"; }

main() {
  case "${1:-}" in -h|--help) usage; exit 0;; esac
  local suite=${1:-trixie}
  local roots=${PHPC_ROOTS:-/var/lib/podheitor-hpc/roots}
  local dir=${2:-$roots/$suite}
  shift $(( $# >= 2 ? 2 : $# ))
  local -a pkgs=("$@") unpack=()
  if [ ${#pkgs[@]} -eq 0 ]; then pkgs=("${DEFAULT_PACKAGES[@]}"); unpack=("${DEFAULT_UNPACK[@]}"); fi
  [ -z "${PHPC_ROOT_UNPACK+x}" ] || read -r -a unpack <<< "$PHPC_ROOT_UNPACK"
  local mirror=${PHPC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  [[ "$suite" =~ ^[a-z][a-z0-9-]*$ ]] || die "bad suite name '$suite'"
  case $dir in /*) ;; *) die "DIR must be an absolute path (got '$dir')";; esac
  dir=${dir%/}
  is_root || die "run as root (mmdebstrap makes the root in root mode)"
  command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap not found (scripts/install-deps.sh installs it)"

  # the parent: root's own, not writable by others (created 700 when missing)
  ensure_state_dir "$(dirname "$dir")"
  local stamp want
  want=$(printf 'suite=%s\nmirror=%s\nvariant=apt\npackages=%s\n' "$suite" "$mirror" "${pkgs[*]}")
  # (no line for an empty unpacked list: the stamps of roots made before it existed still match)
  [ ${#unpack[@]} -eq 0 ] || want+=$'\n'"unpacked=${unpack[*]}"
  stamp=$dir/.phpc-root
  if [ -d "$dir" ] && [ ! -L "$dir" ] && [ -f "$stamp" ] && [ "$(head -n "$(wc -l <<< "$want")" "$stamp")" = "$want" ]; then
    info "reusing $dir ($(sed -n 's/^versions=//p' "$stamp"))"
    echo "$dir"
    return 0
  fi
  if [ -e "$dir" ] || [ -L "$dir" ]; then
    info "$dir exists but is not a complete root of [$suite: ${pkgs[*]}]: making it again"
  fi

  local new=$dir.new.$$
  rm -rf -- "$new"
  # shellcheck disable=SC2064  # expand now: the path is fixed
  trap "rm -rf -- '$new'" EXIT
  trap 'exit 130' INT TERM
  local t0=$SECONDS inc
  inc=$(IFS=,; echo "${pkgs[*]}")
  info "mmdebstrap --variant=apt --include=$inc $suite $new $mirror"
  local -a hook=()
  if [ ${#unpack[@]} -gt 0 ]; then
    # run by mmdebstrap (sh, "$1" = the new root) once the packages are installed: the host's apt-get with the
    # root's apt configuration (its sources and package lists) downloads them at the version of the root's
    # bacula-director, unpack-debs.sh unpacks them into the root
    export PHPC_UNPACK_LIST="${unpack[*]}" PHPC_UNPACK_DIR=$UNPACK_DIR
    export PHPC_UNPACK_SH=$PHPC_ROOT/scripts/lib/unpack-debs.sh
    # shellcheck disable=SC2016  # expanded by mmdebstrap's sh, not here
    hook=(--customize-hook='v=$(chroot "$1" dpkg-query -W -f="\${Version}" bacula-director) && r=$1 && set -- &&
      for p in $PHPC_UNPACK_LIST; do set -- "$@" "$p=$v"; done &&
      APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" "$PHPC_UNPACK_SH" "$r$PHPC_UNPACK_DIR" "$@"')
  fi
  mmdebstrap --quiet --variant=apt --include="$inc" "${hook[@]}" "$suite" "$new" "$mirror" < /dev/null >&2 \
    || die "mmdebstrap failed for suite $suite (network? mirror $mirror)"
  local vers p v
  vers=""
  for p in "${pkgs[@]}"; do
    # shellcheck disable=SC2016  # dpkg-query's own ${Version}
    v=$(chroot "$new" dpkg-query -W -f='${Version}' "$p" 2>/dev/null) || die "$p is not installed in $new"
    vers+="${vers:+ }$p=$v"
  done
  for p in "${unpack[@]}"; do
    v=$(sed -n "s/^$p=//p" "$new$UNPACK_DIR/.phpc-unpacked" 2>/dev/null)
    [ -n "$v" ] || die "$p was not unpacked into $new$UNPACK_DIR"
    vers+="${vers:+ }$p=$v(unpacked)"
  done
  chown root:root "$new"
  chmod 755 "$new"
  printf '%s\nversions=%s\nmade=%s\n' "$want" "$vers" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$new/.phpc-root"
  if [ -e "$dir" ] || [ -L "$dir" ]; then
    rm -rf -- "$dir"
  fi
  mv -T -- "$new" "$dir"
  trap - EXIT INT TERM
  info "made $dir in $((SECONDS - t0)) s ($vers)"
  echo "$dir"
}

main "$@"
