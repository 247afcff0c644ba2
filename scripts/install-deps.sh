#!/usr/bin/env bash
# Install the Debian packages podheitor-hpc needs to build and to run its
# private Bacula (idempotent), then check for a JDK >= 22. mmdebstrap is for
# scripts/mkroot.sh, which puts Bacula 15 (Debian trixie) into a private root
# for the integration tests; nothing of trixie is ever installed on the host.
#
#   scripts/install-deps.sh
#
# Runs apt-get only when a package is missing (and then needs root). While it
# installs, a temporary /usr/sbin/policy-rc.d (exit 101) keeps Debian's bacula
# packages from starting the system bacula services. /etc/bacula and the
# system services are otherwise never touched. No JDK is downloaded: set
# JAVA_HOME or install one under /usr/lib/jvm.
set -Eeuo pipefail
PHPC_PROG=install-deps.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PACKAGES=(bacula-director bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3
          python3 gcc make maven acl attr clang libclang-rt-14-dev
          libfuse3-dev fuse3 pkg-config fd-find util-linux mmdebstrap)
POLICY=/usr/sbin/policy-rc.d
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

main() {
  install_missing
  local jdk
  jdk=$(find_jdk) || exit 1
  info "JDK: $jdk (Java $(jdk_major "$jdk"))"
}

main "$@"
