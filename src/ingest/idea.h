/* SPDX-License-Identifier: Apache-2.0 */
/* IDEA (the Intrusion Detection Extensible Alert format of CESNET's Warden,
 * "Format": "IDEA0"): its categories against RSIT, both ways, for the
 * reader (idea.c) and the writer (output/idea.c). */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "core/taxonomy.h"

/* The RSIT type of an IDEA category ("Attempt.Login" -> brute-force),
 * case-insensitive; the prefix "Availibility." (a real typo of Nemea's) is
 * read as "Availability.". A category of a class with no exact entry
 * ("Malware.Ransomware") takes its class's type.
 * \retval 0.  \retval TS_ENOENT not an IDEA category. */
TS_MUSTCHECK int ts_idea_category_type(const char *s, size_t n, ts_type_t *out /* OUT */);
/* The IDEA category a type is written as (every RSIT type has one). */
const char *ts_idea_type_category(ts_type_t type);
