# shellcheck shell=bash
# bacula-rootfs.sh -- part of the podheitor-hpc Bacula test harness. Sourced by
# bacula-harness.sh (the entry point: command line, help text, settings,
# sourcing contract); defines functions only and runs nothing itself.
#
# Owns the BACULA VERSION SWITCH: which Bacula the harness runs (PHPC_BACULA),
# where its binaries come from, and how they are started.
#
#   PHPC_BACULA=9.6 (default)  the host's Bacula (Debian bookworm's 9.6.7): the
#                              binaries in PATH / /usr/sbin, run as they are.
#   PHPC_BACULA=15             Bacula 15 (Debian trixie's 15.0.3) from a private
#                              root, PHPC_ROOTFS (default /var/lib/podheitor-hpc/
#                              roots/trixie, made by scripts/mkroot.sh). Nothing of
#                              it is installed on the host.
#
# How the 15 binaries run (bacula-inroot.sh): each daemon, each bconsole and each
# 'bacula-* -t' runs chrooted into PHPC_ROOTFS in a mount namespace of its own, in
# which the harness's state directory, the checkout (the plugin's default backend
# launcher, the jars, build/java.home, the tests' backend= wrappers under build/)
# and the JDK named by build/java.home are bound at the SAME paths as on the host
# (plus PHPC_ROOTFS_BINDS, colon-separated, e.g. an install prefix); daemons also
# get /proc, /dev and /sys. So the generated configs, the .so's DEFAULT_BACKEND
# and every path a test passes mean the same thing inside and outside, and the
# mounts die with the process: nothing to unmount, even after a SIGKILL. The
# backend's trust check (docs/security.md) sees the checkout's real owners and
# modes (the bind keeps them) and root-owned 0755 mount points above it.
#
# Mounts made on the host below the state directory after a daemon started
# (tests mount a ramfs or a small tmpfs there) must reach that daemon too. This
# host's mounts are private (no propagation), so while a Bacula 15 harness is up,
# its state directory is a shared bind mount of itself (bh_state_share, undone
# by 'down' and 'clean'); the daemons' namespaces are its slaves.

BACULA_VERSIONS="9.6 15"

# the catalog view every file-name query uses: PhpcFile(JobId, FileIndex, PathId, LStat, MD5, Name), Name =
# the full path. 9.6 keeps file names in a Filename table (File.FilenameId); 15 has no such table, File has
# a Filename column. SQLite: a TEMP view, made per sqlite3 call, never written into the catalog (opened
# read-only); PostgreSQL: a view in the schema phpc, made with the catalog (bacula-pgsql.sh).
bh_file_view_select() {
  local name='Path.Path || Filename.Name' join='JOIN Filename ON Filename.FilenameId = File.FilenameId'
  if [ "${BACULA:-9.6}" != 9.6 ]; then name='Path.Path || File.Filename'; join=''; fi
  printf 'SELECT File.JobId AS JobId, File.FileIndex AS FileIndex, File.PathId AS PathId, File.LStat AS LStat, File.MD5 AS MD5, %s AS Name FROM File JOIN Path ON Path.PathId = File.PathId %s' "$name" "$join"
}
bh_file_view_sql() { printf 'CREATE TEMP VIEW PhpcFile AS %s;' "$(bh_file_view_select)"; }

# a path of the Bacula installation on the host (PATH as the daemons see it)
bh_rootfs_path() { # path
  if [ "${BACULA:-9.6}" = 9.6 ]; then echo "$1"; else echo "$ROOTFS$1"; fi
}

# the command line of a binary found by find_bin (a host path), as it is executed
bh_exe() { # bin
  if [ "${BACULA:-9.6}" = 9.6 ]; then echo "$1"; else echo "${1#"$ROOTFS"}"; fi
}

# the host directories a Bacula 15 daemon sees at the same path
bh_rootfs_binds() {
  local j x
  local -a extra=()
  BH_BINDS=("$STATE" "$PHPC_ROOT")
  # the JDK the backend launcher takes from build/java.home (else the one find_jdk picks)
  j=$(head -n 1 "$PHPC_ROOT/build/java.home" 2>/dev/null || true)
  [ -n "$j" ] && [ -d "$j" ] || j=$(find_jdk 2>/dev/null || true)
  [ -n "$j" ] && [ -d "$j" ] && BH_BINDS+=("$j")
  if [ -n "${ROOTFS_BINDS:-}" ]; then
    IFS=: read -r -a extra <<< "$ROOTFS_BINDS"
    for x in "${extra[@]}"; do [ -z "$x" ] || BH_BINDS+=("$x"); done
  fi
}

# BH_RUN (a daemon), BH_RUN_T (a configuration test) and BH_BCONSOLE: the command prefixes for this version
# shellcheck disable=SC2034  # used by the other parts (bacula-daemons.sh, bacula-config.sh, bacula-harness.sh)
bh_version_setup() {
  case "${BACULA:-9.6}" in
    9.6)
      BH_RUN=(); BH_RUN_T=(); BH_BCONSOLE=(bconsole);;
    15)
      local -a b=()
      local x
      bh_rootfs_binds
      for x in "${BH_BINDS[@]}"; do b+=(--bind "$x"); done
      BH_RUN=("$BH_LIB/bacula-inroot.sh" "$ROOTFS" --sys "${b[@]}" --)
      # configs, catalog and the pid/working directories live below the state directory; the daemons' other
      # binds too, for files a 'dir-include' names there
      BH_RUN_T=("$BH_LIB/bacula-inroot.sh" "$ROOTFS" "${b[@]}" --)
      BH_BCONSOLE=("$BH_LIB/bacula-inroot.sh" "$ROOTFS" --bind "$STATE" -- /usr/sbin/bconsole);;
    *) die "unknown PHPC_BACULA '$BACULA' (one of: $BACULA_VERSIONS)";;
  esac
}

# the root of PHPC_BACULA=15 must be a complete scripts/mkroot.sh root with the Bacula binaries
bh_rootfs_check() {
  [ "${BACULA:-9.6}" = 9.6 ] && return 0
  case $ROOTFS in /?*) ;; *) die "PHPC_ROOTFS must be an absolute path (got '$ROOTFS')";; esac
  [ -f "$ROOTFS/.phpc-root" ] || die "$ROOTFS is not a root made by scripts/mkroot.sh (no .phpc-root); make it: scripts/mkroot.sh trixie $ROOTFS"
  local b
  for b in bacula-dir bacula-sd bacula-fd bconsole; do
    [ -x "$ROOTFS/usr/sbin/$b" ] || die "$ROOTFS/usr/sbin/$b missing (scripts/mkroot.sh trixie $ROOTFS)"
  done
  if ! command -v unshare >/dev/null 2>&1 || ! command -v chroot >/dev/null 2>&1; then
    die "unshare/chroot not found (util-linux, coreutils)"
  fi
}

# ------------------------------------------- the state directory, shared (15) ----
bh_state_share() {
  [ "${BACULA:-9.6}" = 9.6 ] && return 0
  local prop
  prop=$(findmnt -n -o PROPAGATION --mountpoint "$STATE" 2>/dev/null | tail -n 1 || true)
  case $prop in shared*) return 0;; esac
  mount --bind -- "$STATE" "$STATE" || die "cannot bind $STATE onto itself"
  : > "$RUN/state-shared"
  mount --make-shared -- "$STATE" || die "cannot make $STATE a shared mount"
  info "state directory $STATE: a shared bind mount of itself while the Bacula 15 daemons run (undone by down/clean)"
}

bh_state_unshare() {
  [ -f "$RUN/state-shared" ] || return 0
  if mountpoint -q -- "$STATE"; then
    umount -- "$STATE" 2>/dev/null || umount -l -- "$STATE" || { warn "cannot unmount $STATE"; return 0; }
  fi
  rm -f -- "$RUN/state-shared"
}
