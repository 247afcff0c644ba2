/*
 * spare.h - one backend started ahead for the next backup of this bacula-fd
 * (plugin key spare_backend=N: kept for at most N seconds; docs/abi.md §7.2).
 *
 * The shim's globals live as long as bacula-fd has the plugin loaded, across
 * jobs.  A backup with spare_backend > 0 starts one backend when it ends; the
 * next backup or estimate that runs the same launcher takes it over at its
 * early spawn instead of starting a JVM.  A spare that has exited, is older
 * than its limit, or whose launcher file changed since (an upgrade replaces
 * the file: another inode) is ended and not used.  A spare that bacula-fd
 * leaves behind (bacula-fd killed) sees EOF on its input and exits.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_SPARE_H
#define PHPC_SPARE_H

#include <stdbool.h>

#include "backend.h"

/* After a backup: start a spare running path, kept for max_age_s seconds,
 * unless one is kept already (then it is left as it is: one at a time).  A
 * failure to start one is silent: the next job starts its own and reports. */
void spare_keep(const char *path, long max_age_s);

/* Take the spare over into dst (which has no child) when it runs path, is
 * alive, within its age and its launcher unchanged: true, *age_s its age and
 * *pid its pid.  Otherwise false; a spare that is not usable is ended. */
bool spare_take(phpc_backend *dst, const char *path, double *age_s, long *pid);

/* End the spare, if any (unloadPlugin, tests). */
void spare_discard(void);

/* The spare's pid, or 0 (tests, diagnostics). */
long spare_pid(void);

#endif
