/* SPDX-License-Identifier: Apache-2.0 */
/* The command run after each decision on a domain case (for the registry's
 * own tooling, e.g. EPP serverHold): run directly (execv, no shell) as
 *   CMD ACTION DOMAIN CASE-ID STATE UNTIL
 * with UNTIL in RFC 3339 ("" when none), stdin from /dev/null, at most
 * TS_HOOK_TIMEOUT_S seconds (then killed). Its failure is the caller's to
 * show: it is reported, never swallowed. */
#pragma once
#include <stddef.h>

#include "store/domainstore.h"

#define TS_HOOK_TIMEOUT_S 60

/* \retval 0 it exited 0.  \retval TS_EIO it could not run, was killed or
 * exited non-zero, with why (size bytes) saying which. */
TS_MUSTCHECK int ts_domain_hook_run(const char *cmd, const char *action, const ts_domain_case_t *c,
                                    char *why, size_t size);
