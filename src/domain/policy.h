/* SPDX-License-Identifier: Apache-2.0 */
/* Who is informed at each step of a domain case, and as whom: the policy
 * file (docs/domains.md). One setting a line, '#' starts a comment:
 *
 *   from ADDRESS            the CSIRT's address (required to send notices)
 *   from-name NAME          the CSIRT's name in From and in the texts
 *   national-csirt ADDRESS  the national CSIRT (recipient "national-csirt")
 *   national-lang en|de     its language (default en)
 *   procedure URL           the published procedure (/public/domains)
 *   sign-key FINGERPRINT    sign the notices with this OpenPGP key
 *   gnupg-home DIR          the keyring holding it (default: GnuPG's)
 *   templates DIR           the templates (default: the installed ones)
 *   notify STEP WHO...      who is informed at STEP: notify, deactivate,
 *                           extend, reactivate, cancel, remind; WHO: holder,
 *                           registrar, reporter, national-csirt, or none
 *
 * A step the file does not name keeps its default: notify: holder;
 * deactivate: holder registrar reporter national-csirt; extend: holder
 * registrar; reactivate: holder registrar reporter; cancel: holder
 * registrar; remind: holder registrar. Unknown settings, steps and
 * recipients, bad addresses and over-long lines are refused with the line. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef enum ts_domain_step {
    TS_DSTEP_NOTIFY,
    TS_DSTEP_DEACTIVATE,
    TS_DSTEP_EXTEND,
    TS_DSTEP_REACTIVATE,
    TS_DSTEP_CANCEL,
    TS_DSTEP_REMIND,
    TS_DSTEP_COUNT_,
} ts_domain_step_t;

enum {
    TS_DWHO_HOLDER = 1,
    TS_DWHO_REGISTRAR = 2,
    TS_DWHO_REPORTER = 4,
    TS_DWHO_NATIONAL = 8,
};

#define TS_DOMAIN_POLICY_MAX (64u << 10)

typedef struct ts_domain_policy {
    unsigned notify[TS_DSTEP_COUNT_]; /* TS_DWHO_* bits per step */
    char from[256], from_name[128], national[256], national_lang[4];
    char procedure[512], sign_key[128], gnupg_home[1024], templates[1024];
} ts_domain_policy_t;

/* The step an action is ("deactivate" ...; "remind"), or -1 (no notice). */
int ts_domain_step_of(const char *action);
const char *ts_domain_step_name(ts_domain_step_t s);
void ts_domain_policy_defaults(ts_domain_policy_t *p);
/* Parses a policy file's text over the defaults.
 * \retval 0.  \retval TS_ESYNTAX with err ("line 3: unknown recipient
 * \"owner\""). */
TS_MUSTCHECK int ts_domain_policy_parse(const char *text, size_t len, ts_domain_policy_t *p,
                                        char *err, size_t errsize);
/* Reads and parses path. \retval as ts_domain_policy_parse(); TS_EIO,
 * TS_ENOENT, TS_ETOOBIG reading it (err says why). */
TS_MUSTCHECK int ts_domain_policy_load(const char *path, ts_domain_policy_t *p, char *err,
                                       size_t errsize);
