#!/usr/bin/env bash
# unpack-debs.sh -- download Debian packages and UNPACK them (dpkg-deb -x) into a private directory, without
# installing them: for packages that conflict with installed ones and are wanted beside them.
#
#   scripts/lib/unpack-debs.sh DEST PKG[=VERSION]...
#
# What it is for: Debian's Bacula selects the Director's catalog backend with ONE file,
# /usr/lib/bacula/libbaccats-<version>.so, a symbolic link owned by whichever bacula-common-<db> package is
# installed (bacula-common-sqlite3 | -pgsql | -mysql; they conflict with each other, and so do the
# bacula-director-<db> packages). Installing bacula-director-pgsql would remove SQLite from the system's Bacula.
# The harness instead unpacks bacula-common-pgsql and bacula-director-pgsql (the same version as the installed
# bacula-director) into DEST and runs only its own bacula-dir with LD_LIBRARY_PATH=DEST/usr/lib/bacula
# (bacula-dir's RUNPATH /usr/lib/bacula comes after LD_LIBRARY_PATH), where the same link points at
# libbaccats-postgresql (PHPC_CATALOG=pgsql, scripts/lib/bacula-pgsql.sh).
#
# apt-get download uses the apt configuration in effect (APT_CONFIG: mmdebstrap's customize hooks pass the new
# root's, scripts/mkroot.sh). DEST is replaced as a whole (built in DEST.new.PID, then renamed); DEST/.phpc-unpacked
# lists "PKG=VERSION" one a line. Idempotent: when DEST/.phpc-unpacked already lists exactly the requested
# PKG=VERSION (every PKG given with =VERSION), nothing is downloaded.
set -Eeuo pipefail
PHPC_PROG=unpack-debs.sh
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -ge 2 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
dest=${1%/}; shift
case $dest in /?*) ;; *) die "DEST must be an absolute path (got '$dest')";; esac

want=$(printf '%s\n' "$@" | LC_ALL=C sort)
if [ -f "$dest/.phpc-unpacked" ] && [ "$(LC_ALL=C sort "$dest/.phpc-unpacked")" = "$want" ]; then
  info "reusing $dest ($(paste -sd' ' "$dest/.phpc-unpacked"))"
  exit 0
fi

new=$dest.new.$$
dl=$new/.debs
# shellcheck disable=SC2064  # the path is fixed now
trap "rm -rf -- '$new'" EXIT
rm -rf -- "$new"
mkdir -p -- "$dl"
chmod 755 "$new"
# apt-get download writes into the current directory (as root: "unsandboxed" is expected, not an error)
(cd "$dl" && apt-get download -q "$@" 2>&1) | grep -v -E 'Download is performed unsandboxed' >&2 \
  || true
: > "$new/.phpc-unpacked"
for p in "$@"; do
  name=${p%%=*}
  deb=$(find "$dl" -maxdepth 1 -name "${name}_*.deb" | head -n 1)
  [ -n "$deb" ] || die "apt-get download $p: no ${name}_*.deb (package lists up to date? apt-get update)"
  v=$(dpkg-deb -f "$deb" Version)
  case $p in *=*) [ "$v" = "${p#*=}" ] || die "$p: downloaded version $v";; esac
  dpkg-deb -x "$deb" "$new" || die "dpkg-deb -x $deb failed"
  echo "$name=$v" >> "$new/.phpc-unpacked"
done
rm -rf -- "$dl"
if [ -e "$dest" ] || [ -L "$dest" ]; then rm -rf -- "$dest"; fi
mv -T -- "$new" "$dest"
trap - EXIT
info "unpacked into $dest: $(paste -sd' ' "$dest/.phpc-unpacked")"
