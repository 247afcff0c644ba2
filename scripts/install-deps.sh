#!/usr/bin/env bash
# Install the Debian packages podheitor-hpc needs to build, package and test it
# and to run its private Bacula (idempotent), then check for a JDK >= 22.
# mmdebstrap is for scripts/mkroot.sh, which puts Bacula 15 (Debian trixie)
# into a private root for the integration tests (nothing of trixie is ever
# installed on the host), and for the package's test in fresh Debian roots.
# postgresql is the server of the harness's private PostgreSQL catalog
# (PHPC_CATALOG=pgsql); Debian's bacula-director-pgsql conflicts with the
# installed bacula-director-sqlite3 (one catalog backend per system), so it is
# not installed: it and bacula-common-pgsql, at the installed bacula-director's
# version, are unpacked into PGSQL_BACKEND for the harness's own bacula-dir
# only (scripts/lib/unpack-debs.sh says how).
# ceph-mon, ceph-osd, ceph-mds, ceph-fuse and ceph-common (Ceph 16 on
# bookworm) run the private single-node CephFS of scripts/lib/ceph-lab.sh
# (tests/ceph/); no Ceph service is configured or started by installing them.
# slurm-wlm (slurmctld, slurmd, the client commands; Slurm 22.05 on bookworm),
# munge and iproute2 run the private Slurm of scripts/lib/slurm-lab.sh
# (tests/slurm/): its own munged, slurmctld and two slurmd, one of them in a
# network namespace; the same policy-rc.d keeps the system's munge, slurmctld
# and slurmd services from starting, and the lab never reads /etc/slurm or
# /etc/munge.
#
#   scripts/install-deps.sh
#
# Runs apt-get only when a package is missing (and then needs root). While it
# installs, a temporary /usr/sbin/policy-rc.d (exit 101) keeps Debian's bacula
# packages from starting the system bacula services. /etc/bacula and the
# system services are otherwise never touched; the same file keeps the
# ceph packages' (and lvm2's) services from starting.
#
# The JDK: a JDK >= 22 already there (JAVA_HOME, /usr/lib/jvm/*) is used as it
# is. Otherwise, where Debian has one (trixie and newer:
# openjdk-25-jdk-headless), it is installed with the rest; Debian 12
# (bookworm) has none, and the script says what to install.
set -Eeuo pipefail
PHPC_PROG=install-deps.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# the sanitizer/fuzzer runtime of the default clang (libFuzzer for make -C shim-c fuzz): libclang-rt-14-dev on
# bookworm (clang 14), libclang-rt-19-dev on trixie; by the release this is
clang_rt_package() {
  local id=""
  [ -r /etc/os-release ] && id=$(. /etc/os-release && echo "${VERSION_ID:-}")
  case $id in
    12) echo libclang-rt-14-dev;;
    13) echo libclang-rt-19-dev;;
    *) echo libclang-rt-dev;;
  esac
}

PACKAGES=(bacula-director bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3
          python3 gcc make maven acl attr clang "$(clang_rt_package)"
          libfuse3-dev fuse3 pkg-config fd-find util-linux
          binutils file asciidoctor mmdebstrap postgresql
          ceph-mon ceph-osd ceph-mds ceph-fuse ceph-common
          slurm-wlm munge iproute2)
# binutils, file, asciidoctor: scripts/package.sh (ELF dependencies, man pages); mmdebstrap: scripts/mkroot.sh
# and the package's test in fresh Debian roots (tests/integration/t_package.sh); postgresql: the harness's
# private PostgreSQL catalog (PHPC_CATALOG=pgsql, scripts/lib/bacula-pgsql.sh); ceph-*: the private CephFS of
# scripts/lib/ceph-lab.sh (mon, an OSD on memstore, an MDS, a ceph-fuse mount; ceph-mds pulls in the 'ceph'
# metapackage and with it ceph-mgr, which the lab does not start); slurm-wlm, munge, iproute2: the private Slurm of
# scripts/lib/slurm-lab.sh (munged, slurmctld, two slurmd; 'ip netns' and a veth pair for the second node)
# where the Director's PostgreSQL backend of the host's Bacula is unpacked (not installed); the harness looks here
PGSQL_BACKEND=/var/lib/podheitor-hpc/bacula-pgsql
POLICY=/usr/sbin/policy-rc.d
# Debian's JDK >= 22, for a machine that has no JDK >= 22 yet (none on bookworm)
DEBIAN_JDK=openjdk-25-jdk-headless
policy_ours=0

remove_policy() {
  if [ "$policy_ours" = 1 ]; then
    rm -f "$POLICY"
    policy_ours=0
  fi
}

install_missing() {
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"
  local -a miss
  mapfile -t miss < <(missing_debs "${PACKAGES[@]}")
  if [ ${#miss[@]} -eq 0 ]; then
    info "all Debian packages present (${PACKAGES[*]})"
    return 0
  fi
  is_root || die "missing packages: ${miss[*]}; run as root (or install them: apt-get install ${miss[*]})"
  info "installing: ${miss[*]}"
  trap remove_policy EXIT
  trap 'remove_policy; exit 130' INT TERM
  if [ ! -e "$POLICY" ]; then
    # keep invoke-rc.d from starting bacula-dir/-sd/-fd system services
    printf '#!/bin/sh\n# temporary, created by podheitor-hpc install-deps.sh\nexit 101\n' > "$POLICY"
    chmod 755 "$POLICY"
    policy_ours=1
  else
    info "$POLICY already exists; leaving it as it is"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${miss[@]}" \
    || die "apt-get install failed for: ${miss[*]}"
  remove_policy
  trap - EXIT INT TERM
  mapfile -t miss < <(missing_debs "${PACKAGES[@]}")
  [ ${#miss[@]} -eq 0 ] || die "still missing after apt-get install: ${miss[*]}"
  info "packages installed"
}

# Adds DEBIAN_JDK to PACKAGES when no JDK >= 22 is installed and Debian has it; else says what to install.
want_jdk() {
  find_jdk > /dev/null 2>&1 && return 0
  # a fresh machine's package lists may be empty: read them once
  if ! apt-cache show "$DEBIAN_JDK" > /dev/null 2>&1 && is_root; then
    apt-get update -q > /dev/null 2>&1 || true
  fi
  if apt-cache show "$DEBIAN_JDK" > /dev/null 2>&1; then
    info "no JDK >= ${PHPC_MIN_JAVA:-22} installed: adding Debian's $DEBIAN_JDK"
    PACKAGES+=("$DEBIAN_JDK")
  else
    local rel="this release"
    [ -r /etc/os-release ] && rel=$(. /etc/os-release && echo "${PRETTY_NAME:-this release}")
    warn "no JDK >= ${PHPC_MIN_JAVA:-22} installed, and $rel has no $DEBIAN_JDK (Debian 12 bookworm has"
    warn "  no JDK newer than 17): install Eclipse Temurin 25 from Adoptium's Debian repository (package"
    warn "  temurin-25-jdk, installs to /usr/lib/jvm/temurin-25-jdk-amd64), or unpack any JDK >= 22 and set JAVA_HOME"
  fi
}

# bacula-common-pgsql + bacula-director-pgsql of the installed bacula-director's version, unpacked into
# PGSQL_BACKEND (kept when it already holds that version)
unpack_pgsql_backend() {
  local v
  # shellcheck disable=SC2016  # dpkg-query's own ${Version}
  v=$(dpkg-query -W -f='${Version}' bacula-director 2>/dev/null) || die "bacula-director is not installed"
  if [ -f "$PGSQL_BACKEND/.phpc-unpacked" ] && grep -qx "bacula-common-pgsql=$v" "$PGSQL_BACKEND/.phpc-unpacked" \
     && grep -qx "bacula-director-pgsql=$v" "$PGSQL_BACKEND/.phpc-unpacked"; then
    info "PostgreSQL catalog backend of Bacula $v present in $PGSQL_BACKEND"
    return 0
  fi
  is_root || die "the PostgreSQL catalog backend is missing in $PGSQL_BACKEND; run as root"
  ensure_state_dir "$(dirname "$PGSQL_BACKEND")"
  "$(dirname "${BASH_SOURCE[0]}")/lib/unpack-debs.sh" "$PGSQL_BACKEND" \
    "bacula-common-pgsql=$v" "bacula-director-pgsql=$v" \
    || die "could not unpack the PostgreSQL catalog backend of Bacula $v into $PGSQL_BACKEND"
}

main() {
  want_jdk
  install_missing
  unpack_pgsql_backend
  local jdk
  jdk=$(find_jdk) || exit 1
  info "JDK: $jdk (Java $(jdk_major "$jdk"))"
}

main "$@"
