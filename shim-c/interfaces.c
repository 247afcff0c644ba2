/*
 * interfaces.c - what this build of podheitor-hpc-fd.so accepts and runs, as plain strings in a section of
 * their own, so that a tool can read them without loading the plugin into anything:
 *
 *   readelf -p .podheitor_hpc podheitor-hpc-fd.so
 *     PODHEITOR_HPC_FD_INTERFACES=14,21,22,23   the FD plugin interface versions loadPlugin accepts
 *     PODHEITOR_HPC_FD_BACKEND=/usr/lib/...     DEFAULT_BACKEND, the installed backend launcher
 *
 * `podheitor-hpc doctor` finds the two strings by their prefixes in the file's bytes (no readelf needed) and
 * compares the list with the interface version of the host's bacula-fd (docs/abi.md §0.2, docs/doctor.md).
 * test/test_interfaces.c loads the built .so, asks loadPlugin about every version 0..299 and fails when this
 * list differs from the versions it accepts: a change to plugin.c's version switch must change the list here.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

#ifndef PHPC_DEFAULT_BACKEND
#error "PHPC_DEFAULT_BACKEND must be defined (the Makefile passes DEFAULT_BACKEND)"
#endif

#define PHPC_INFO __attribute__((used, section(".podheitor_hpc"), aligned(1)))

PHPC_INFO static const char phpc_info_interfaces[] = "PODHEITOR_HPC_FD_INTERFACES=14,21,22,23";
PHPC_INFO static const char phpc_info_backend[] = "PODHEITOR_HPC_FD_BACKEND=" PHPC_DEFAULT_BACKEND;
