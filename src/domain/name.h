/* SPDX-License-Identifier: Apache-2.0 */
/* Domain names as the domain cases keep them: one form per name, so that a
 * case, a zone claim, an event's fqdn and a line of the RPZ compare as
 * strings. The form is lower-case A-labels (IDNA2008 with UTS #46 mapping
 * through libidn2: "Příklad.CZ." becomes "xn--pklad-zsa96e.cz") without the
 * trailing dot, every label 1..63 letters, digits or hyphens (no leading or
 * trailing hyphen), at most 253 bytes, at least two labels unless it is a
 * top-level zone given as such. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define TS_DOMAIN_NAME_MAX 253

/* Normalises the UTF-8 name in (NUL-terminated, at most 1024 bytes) into out
 * (size bytes, TS_DOMAIN_NAME_MAX + 1 is enough). A single label ("cz") is
 * accepted: zones are names too.
 * \retval 0.  \retval TS_EINVAL with *why (a static message; why may be
 * NULL): empty, too long, not UTF-8, not a valid IDN, a bad label.
 * \retval TS_ERANGE out too small. */
TS_MUSTCHECK int ts_domain_name_norm(const char *in, char *out, size_t size,
                                     const char **why /* OUT, may be NULL */);
/* Whether normalised name is strictly under normalised zone ("a.b.cz"
 * under "cz" and "b.cz"; "cz" not under "cz"; "xcz" not under "cz"). */
bool ts_domain_name_under(const char *name, const char *zone);
